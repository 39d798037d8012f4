import { readFileSync } from 'node:fs';
import { BambooHrAuthError } from '../../lib/errors.js';
import { decideRetry, parseSyncJob, PoisonMessageError, processSyncJob } from '../../lib/use-cases/process-sync-job.js';
import { GiveUpError, RetryLaterError } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow, aRunRecord } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

const sqsEvent = JSON.parse(readFileSync(new URL('../../events/sqs-sync-job.json', import.meta.url), 'utf8')) as { Records: { body: string }[] };

describe('processSyncJob', () => {
  it('parses the job bodies of the sample SQS event', () => {
    // Act
    const jobs = sqsEvent.Records.map((r) => parseSyncJob(r.body));

    // Assess
    expect(jobs.map((j) => [j.tenantId, j.kind, j.requestedBy])).toEqual([
      ['demo', 'full', 'schedule'],
      ['demo', 'employees', 'webhook'],
    ]);
  });

  it.each([
    ['not JSON', 'hello'],
    ['not a job', '{"tenantId":"demo"}'],
    ['an employees job without ids', JSON.stringify({ ...aJob(), kind: 'employees' })],
    ['a tenant id with a path in it', JSON.stringify({ ...aJob(), tenantId: '../b' })],
  ])('treats %s as a poison message', (_case, body) => {
    // Act / Assess
    expect(() => parseSyncJob(body)).toThrow(PoisonMessageError);
  });

  it('acknowledges a failure no retry can fix, and rethrows a retryable one', async () => {
    // Prepare
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1')]));

    // Act
    const missing = await processSyncJob(h.deps, aJob({ tenantId: 'ghost' }));
    h.source.failWith = new BambooHrAuthError('acme', 401);
    const rejected = await processSyncJob(h.deps, aJob());
    h.source.failWith = new Error('socket hang up');
    const transient = processSyncJob(h.deps, aJob({ requestedAt: '2026-11-25T12:00:00.000Z', requestedBy: 'support' }));

    // Assess
    expect(missing).toEqual({ outcome: 'dropped', reason: expect.stringContaining("No tenant 'ghost'") });
    expect(rejected.outcome).toBe('failed');
    await expect(transient).rejects.toThrow(RetryLaterError);
  });
});

describe('decideRetry: what the queue does with a failed delivery (hardening 7, 8)', () => {
  const policy = { maxAttempts: 5, maxReceiveCount: 50 };
  const failedRun = (attempts: number, waits: number, retryAfterSeconds?: number) =>
    new RetryLaterError(
      aRunRecord({
        status: 'failed',
        attempts,
        waits,
        error: { code: 'bamboohr-rate-limited', message: 'limited', retryable: true, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
      }),
    );

  it('sends a poison body to the dead-letter queue at once', () => {
    // Act / Assess
    expect(decideRetry({ error: new PoisonMessageError('not JSON'), receiveCount: 1, ...policy })).toMatchObject({ action: 'dead-letter', reason: expect.stringContaining('not JSON') });
  });

  it('waits at least what BambooHR asked, up to SQS limit, and does not count the wait as a failure', () => {
    // Act
    const hour = decideRetry({ error: failedRun(7, 6, 3600), receiveCount: 7, ...policy });
    const days = decideRetry({ error: failedRun(1, 1, 200_000), receiveCount: 1, ...policy });

    // Assess
    expect(hour).toEqual({ action: 'retry', delaySeconds: 3600, counted: false });
    expect(days).toEqual({ action: 'retry', delaySeconds: 43_200, counted: false });
  });

  it('backs off counted failures 30 s, 60 s, 120 s... and dead-letters after the last allowed attempt', () => {
    // Act / Assess
    expect([1, 2, 3, 4].map((n) => decideRetry({ error: failedRun(n, 0), receiveCount: n, ...policy }))).toEqual(
      [30, 60, 120, 240].map((delaySeconds) => ({ action: 'retry', delaySeconds, counted: true })),
    );
    expect(decideRetry({ error: failedRun(8, 3), receiveCount: 8, ...policy })).toMatchObject({ action: 'dead-letter', reason: expect.stringContaining('5 attempts') });
  });

  it('for a failure before any run started (e.g. DynamoDB down), backs off by deliveries and dead-letters at the queue limit', () => {
    // Act / Assess
    expect(decideRetry({ error: new Error('ThrottlingException'), receiveCount: 2, ...policy })).toEqual({ action: 'retry', delaySeconds: 60, counted: true });
    expect(decideRetry({ error: new Error('ThrottlingException'), receiveCount: 50, ...policy })).toMatchObject({ action: 'dead-letter' });
  });

  it('gives up at once on a job whose run kept dying (GiveUpError)', () => {
    // Act / Assess
    expect(decideRetry({ error: new GiveUpError(aRunRecord({ attempts: 6 }), 5), receiveCount: 6, ...policy })).toMatchObject({ action: 'dead-letter' });
  });
});
