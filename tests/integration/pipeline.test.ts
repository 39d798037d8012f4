import { readFileSync } from 'node:fs';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, drainQueue, receiveAll, toSqsEvent, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

const scheduledEvent = JSON.parse(readFileSync(new URL('../../events/scheduled-event.json', import.meta.url), 'utf8'));
const WEBHOOK_KEY = 'demo-webhook-private-key';

describe('the AWS pipeline against local emulators and the BambooHR simulator', () => {
  let local: LocalService;
  let scheduler: (event: unknown, context: unknown) => Promise<{ tenants: number; sent: number }>;
  let worker: WorkerHandler;
  let webhook: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
  let hour = 0;

  const runSchedule = async () => {
    hour += 1;
    const time = new Date(Date.UTC(2026, 10, 25, hour)).toISOString().replace('.000', '');
    const result = await scheduler({ ...scheduledEvent, time }, aLambdaContext('scheduler'));
    const batches = await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    return { result, batches };
  };
  const feed = async (tenantId: string, after = 0) => (await local.deps.feed.list(tenantId, after, 1000)).changes;

  beforeAll(async () => {
    local = await startLocalService();
    local.simulator.addCompany({
      subdomain: 'acme',
      keys: [{ apiKey: FAKE_API_KEY }],
      employees: generateEmployees({ count: 40, seed: 7, inactive: 3, excluded: 2, today: '2026-11-25' }),
      exclusionField: { id: '4501', name: 'skip_elevo_sync' },
    });
    local.simulator.addCompany({
      subdomain: 'globex',
      keys: [{ apiKey: 'globex-key-0000' }],
      employees: generateEmployees({ count: 10, seed: 8, today: '2026-11-25', firstId: 1000 }),
    });
    scheduler = (await import('../../functions/scheduler.js')).handler as never;
    worker = (await import('../../functions/worker.js')).handler as never;
    webhook = (await import('../../functions/webhook.js')).handler as never;
    await registerTenant(local.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, exclusionField: true, webhook: { privateKey: WEBHOOK_KEY } });
    await registerTenant(local.deps, { tenantId: 'globex', subdomain: 'https://globex.bamboohr.com/', apiKey: 'globex-key-0000' });
    // The scheduler last ran at midnight: each runSchedule (an hour later each) covers a whole period.
    await local.deps.scheduleState.advance(null, Date.UTC(2026, 10, 25, 0), local.config.schedule.periodMs);
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('syncs every active tenant on schedule: feed and snapshot hold the synced employees', async () => {
    // Act
    const { result, batches } = await runSchedule();

    // Assess
    expect(result).toMatchObject({ tenants: 2, sent: 2 });
    expect(batches.flatMap((b) => b.response?.batchItemFailures ?? [])).toEqual([]);
    const acme = local.simulator.company('acme').employees();
    const expected = acme.filter((e) => e.status === 'Active' && !e.excluded && e.workEmail).map((e) => e.id);
    const changes = await feed('acme');
    expect(changes.every((c) => c.type === 'created')).toBe(true);
    expect(changes.map((c) => c.employeeId).sort()).toEqual([...expected].sort());
    expect(changes.map((c) => c.seq)).toEqual(changes.map((_, i) => i + 1));
    expect((await local.deps.snapshots.load('acme')).size).toBe(expected.length);
    expect((await feed('globex')).length).toBe(10);
    expect((await local.deps.tenants.get('acme'))?.lastRun).toMatchObject({ status: 'succeeded', employeesSynced: expected.length });
  });

  it('writes exactly the changes made in BambooHR on the next run', async () => {
    // Prepare
    const company = local.simulator.company('acme');
    const [first, second] = company.employees().filter((e) => e.status === 'Active' && !e.excluded && e.workEmail && e.supervisorEId);
    company.updateEmployee(first!.id, { jobTitle: 'Chief Integration Officer' });
    company.updateEmployee(second!.id, { status: 'Inactive' });
    const before = (await feed('acme')).length;

    // Act
    await runSchedule();

    // Assess
    const changes = await feed('acme', before);
    const byEmployee = Object.fromEntries(changes.map((c) => [c.employeeId, c]));
    expect(byEmployee[first!.id]).toMatchObject({ type: 'updated', changes: { jobTitle: { to: 'Chief Integration Officer' } } });
    expect(byEmployee[second!.id]).toMatchObject({ type: 'deactivated', reason: 'inactive' });
    // Around the one who left: the manager loses a direct report, the reports lose their manager.
    const reportsOfSecond = company.employees().filter((e) => e.supervisorEId === second!.id && e.status === 'Active' && !e.excluded && e.workEmail);
    const expectedOthers = [
      [second!.supervisorEId, 'directReportIds'],
      ...reportsOfSecond.map((e) => [e.id, 'managerId']),
    ].sort();
    const others = changes.filter((c) => c.employeeId !== first!.id && c.employeeId !== second!.id);
    expect(others.map((c) => [c.employeeId, Object.keys(c.changes).join()]).sort()).toEqual(expectedOthers);
  });

  it('writes no feed item when nothing changed', async () => {
    // Prepare
    const before = (await feed('acme')).length;
    const puts = local.deps.stats.itemsWritten;

    // Act
    await runSchedule();

    // Assess
    expect((await feed('acme')).length).toBe(before);
    expect((await local.deps.runs.list('acme', 1))[0]).toMatchObject({ status: 'succeeded', counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0 } });
    expect(local.deps.stats.itemsWritten).toBe(puts);
  });

  it('writes nothing twice when the same message is delivered twice', async () => {
    // Prepare: a change, and its job received twice
    const company = local.simulator.company('acme');
    const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail)!;
    company.updateEmployee(target.id, { department: 'Twice Delivered' });
    const before = (await feed('acme')).length;
    await scheduler({ ...scheduledEvent, time: '2026-11-26T00:00:00Z' }, aLambdaContext('scheduler'));
    const messages = (await receiveAll(local.emulators.sqs.client, local.config.queues.syncUrl!)).filter((m) => m.Attributes?.MessageGroupId === 'acme');

    // Act
    await worker(toSqsEvent(messages), aLambdaContext('worker'));
    await worker(toSqsEvent(messages), aLambdaContext('worker'));
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);

    // Assess
    const changes = await feed('acme', before);
    expect(changes.filter((c) => c.employeeId === target.id)).toHaveLength(1);
  });

  it('turns a signed webhook into a targeted sync with exactly that change', async () => {
    // Prepare
    const company = local.simulator.company('acme');
    const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail)!;
    company.updateEmployee(target.id, { lastName: 'Webhooked' });
    const before = (await feed('acme')).length;
    const requestsBefore = local.simulator.requestCount('acme');
    const body = JSON.stringify({ type: 'employee.updated', timestamp: new Date().toISOString(), data: { companyId: 1, employeeId: target.id, changedFields: ['lastName'] } });
    const timestamp = String(Math.floor(Date.now() / 1000));

    // Act
    const response = await webhook(
      {
        rawPath: '/webhooks/bamboohr/acme',
        headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, WEBHOOK_KEY), 'x-bamboohr-timestamp': timestamp, 'content-type': 'application/json' },
        pathParameters: { tenantId: 'acme' },
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
      },
      aLambdaContext('webhook'),
    );
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);

    // Assess
    expect(response.statusCode).toBe(202);
    const changes = await feed('acme', before);
    expect(changes.map((c) => [c.type, c.employeeId, c.changes])).toEqual([['updated', target.id, { lastName: { from: target.lastName, to: 'Webhooked' } }]]);
    expect(local.simulator.requestCount('acme') - requestsBefore).toBe(1);
  });

  it('deactivates as excluded an employee whose box is ticked, on webhook', async () => {
    // Prepare
    const company = local.simulator.company('acme');
    const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail && !e.supervisorEId)!;
    company.updateEmployee(target.id, { excluded: true });
    const before = (await feed('acme')).length;
    const body = JSON.stringify({ employees: [{ id: target.id, action: 'Updated', changedFields: ['skip_elevo_sync'], fields: {} }] });
    const timestamp = String(Math.floor(Date.now() / 1000));

    // Act
    const response = await webhook(
      {
        headers: { 'X-BambooHR-Signature': signWebhook(body, timestamp, WEBHOOK_KEY), 'X-BambooHR-Timestamp': timestamp },
        pathParameters: { tenantId: 'acme' },
        body,
        isBase64Encoded: false,
      },
      aLambdaContext('webhook'),
    );
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);

    // Assess
    expect(response.statusCode).toBe(202);
    const changes = await feed('acme', before);
    expect(changes.find((c) => c.employeeId === target.id)).toMatchObject({ type: 'deactivated', reason: 'excluded' });
  });

  it('refuses a webhook signed with another key, and queues nothing', async () => {
    // Prepare
    const body = JSON.stringify({ type: 'employee.updated', data: { employeeId: '1' } });
    const timestamp = String(Math.floor(Date.now() / 1000));

    // Act
    const response = await webhook(
      { headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, 'forged'), 'x-bamboohr-timestamp': timestamp }, pathParameters: { tenantId: 'acme' }, body },
      aLambdaContext('webhook'),
    );

    // Assess
    expect(response.statusCode).toBe(401);
    expect(await receiveAll(local.emulators.sqs.client, local.config.queues.syncUrl!)).toEqual([]);
  });
});
