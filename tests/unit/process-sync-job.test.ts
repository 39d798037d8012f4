import { readFileSync } from 'node:fs';
import { BambooHrAuthError } from '../../lib/errors.js';
import { parseSyncJob, PoisonMessageError, processSyncJob, retryDelaySeconds } from '../../lib/use-cases/process-sync-job.js';
import { RetryLaterError } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
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

describe('retryDelaySeconds', () => {
  it('sends a poison message back at once, and backs off retryable failures up to 15 minutes', () => {
    // Act / Assess
    expect(retryDelaySeconds(new PoisonMessageError('not JSON'), 3)).toBe(0);
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelaySeconds(new Error('timeout'), n))).toEqual([30, 60, 120, 240, 480, 900]);
  });
});
