import { readFileSync } from 'node:fs';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

const TENANTS = 200;
const EMPLOYEES = 8;
const WORKERS = 4;
const WEBHOOK_KEY = 'load-webhook-key';
const scheduledEvent = JSON.parse(readFileSync(new URL('../../events/scheduled-event.json', import.meta.url), 'utf8'));
type HttpHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number }>;

describe('load: 200 tenants synced concurrently while webhooks arrive', () => {
  let local: LocalService;

  beforeAll(async () => {
    local = await startLocalService();
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('writes every expected change exactly once', async () => {
    // Prepare
    const ids = Array.from({ length: TENANTS }, (_, i) => `load-${i}`);
    for (const [i, tenantId] of ids.entries()) {
      local.simulator.addCompany({
        subdomain: tenantId,
        keys: [{ apiKey: FAKE_API_KEY }],
        employees: generateEmployees({ count: EMPLOYEES, seed: i + 1, today: '2026-11-25' }),
      });
    }
    for (const tenantId of ids) {
      await registerTenant(local.deps, { tenantId, subdomain: tenantId, apiKey: FAKE_API_KEY, webhook: { privateKey: WEBHOOK_KEY } });
    }
    const scheduler = (await import('../../functions/scheduler.js')).handler as unknown as (e: unknown, c: unknown) => Promise<{ sent: number }>;
    const worker = (await import('../../functions/worker.js')).handler as unknown as WorkerHandler;
    const webhook = (await import('../../functions/webhook.js')).handler as unknown as HttpHandler;
    const expectedCreated = new Map(
      ids.map((id) => [id, local.simulator.company(id).employees().filter((e) => e.status === 'Active' && !e.excluded && e.workEmail).map((e) => e.id)]),
    );

    // Act: the schedule fans out (a whole period since the scheduler last ran), four workers drain the queue, and webhooks land meanwhile
    await local.deps.scheduleState.advance(null, Date.parse('2026-11-25T09:00:00Z'), local.config.schedule.periodMs);
    const scheduled = await scheduler({ ...scheduledEvent, time: '2026-11-25T10:00:00Z' }, aLambdaContext('scheduler'));
    const workers = Array.from({ length: WORKERS }, () => drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker, 1000));
    const webhookTargets = new Map<string, string>();
    const webhooks = (async () => {
      for (const tenantId of ids.filter((_, i) => i % 4 === 0)) {
        const company = local.simulator.company(tenantId);
        const target = company.employees().find((e) => expectedCreated.get(tenantId)!.includes(e.id))!;
        company.updateEmployee(target.id, { jobTitle: `Load ${tenantId}` });
        webhookTargets.set(tenantId, target.id);
        const body = JSON.stringify({ type: 'employee.updated', data: { employeeId: target.id } });
        const timestamp = String(Math.floor(Date.now() / 1000));
        const response = await webhook(
          { headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, WEBHOOK_KEY), 'x-bamboohr-timestamp': timestamp }, pathParameters: { tenantId }, body },
          aLambdaContext('webhook'),
        );
        expect(response.statusCode).toBe(202);
      }
    })();
    await Promise.all([...workers, webhooks]);
    const failures = (await Promise.all(workers)).flat().flatMap((b) => b.response?.batchItemFailures ?? []);
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker, 1000); // webhook jobs sent after the workers went idle

    // Assess
    expect(scheduled.sent).toBe(TENANTS);
    expect(failures).toEqual([]);
    for (const tenantId of ids) {
      const changes = (await local.deps.feed.list(tenantId, 0, 1000)).changes;
      const created = changes.filter((c) => c.type === 'created').map((c) => c.employeeId);
      expect([tenantId, [...created].sort()]).toEqual([tenantId, [...expectedCreated.get(tenantId)!].sort()]);
      expect(changes.map((c) => c.seq)).toEqual(changes.map((_, i) => i + 1));
      const target = webhookTargets.get(tenantId);
      if (target) {
        // Whichever ran first (the scheduled full sync or the webhook's targeted one), the new title
        // reached the feed exactly once.
        const withTitle = changes.filter((c) => c.employeeId === target && c.employee.jobTitle === `Load ${tenantId}` && (c.type === 'created' || 'jobTitle' in c.changes));
        expect([tenantId, withTitle.length]).toEqual([tenantId, 1]);
      } else {
        expect([tenantId, changes.length]).toEqual([tenantId, expectedCreated.get(tenantId)!.length]);
      }
    }
  }, 180_000); // 200 tenants on a busy 2-core box: generous, and it times nothing
});
