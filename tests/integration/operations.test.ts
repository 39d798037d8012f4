import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PassThrough } from 'node:stream';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { main } from '../../lib/cli/main.js';
import type { CliDeps } from '../../lib/cli/target.js';
import type { ActivityEvent } from '../../lib/model/activity.js';
import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { requestSync } from '../../lib/use-cases/request-sync.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { InMemoryScheduleState } from '../helpers/in-memory-ports.js';
import { drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

/**
 * Issue 14: support hears about a broken tenant before the customer does. Through the real worker
 * and scheduler against the emulators and the simulator: what each problem records in the tenant's
 * activity log, what it publishes as an alert (once per problem), and what `activity` and `alerts`
 * show with --json.
 */
describe('operations: activity log and alerts', () => {
  let local: LocalService;
  let worker: WorkerHandler;
  const HOUR = 3_600_000;
  const queueUrl = () => local.config.queues.syncUrl!;
  const drain = () => drainQueue(local.emulators.sqs.client, queueUrl(), worker);
  const company = (subdomain: string, count = 20) =>
    local.simulator.addCompany({ subdomain, keys: [{ apiKey: FAKE_API_KEY }], employees: generateEmployees({ count, seed: subdomain.length, today: '2026-11-25' }) });
  const register = async (tenantId: string) => {
    company(tenantId);
    await registerTenant(local.deps, { tenantId, subdomain: tenantId, apiKey: FAKE_API_KEY, actor: 'test-support' });
    await requestSync(local.deps, tenantId);
    await drain();
  };
  const alertsOf = (tenantId: string) => local.publishedAlerts().filter((a) => a.tenantId === tenantId);
  /** The scheduler's probes of one tenant, at a given time (the other tenants of this file stay out). */
  const probe = async (tenantId: string, at: number) => {
    const only = {
      listByStatus: async (...args: Parameters<typeof local.deps.tenants.listByStatus>) => {
        const page = await local.deps.tenants.listByStatus(...args);
        return { ...page, tenants: page.tenants.filter((t) => t.tenantId === tenantId) };
      },
      listDue: async () => ({ tenants: [] }),
      markStale: async () => false,
      assignMissingSlots: async () => 0,
    };
    await enqueueScheduledSyncs({ ...local.deps, tenants: only, scheduleState: new InMemoryScheduleState(), settings: local.config.schedule }, { scheduledAt: new Date(at).toISOString() });
    await drain();
  };
  const cli = async (args: string[]): Promise<unknown> => {
    let stdout = '';
    const deps = { ...local.deps, deadLetters: { list: async () => [], redrive: async () => ({ redriven: 0, redrivenIds: [], redrivenJobs: [], poison: [], notFound: [] }), count: async () => ({ waiting: 0, inFlight: 0 }) } };
    const code = await main([...args, '--json'], { stdin: new PassThrough(), stdout: { write: (c: string) => (stdout += c) }, stderr: { write: () => true }, env: {} }, {
      openTarget: async () => ({ label: 'test', actor: async () => 'test-support', deps: deps as unknown as CliDeps, close: () => undefined }),
    });
    expect(code).toBe(0);
    return JSON.parse(stdout);
  };

  beforeAll(async () => {
    local = await startLocalService();
    worker = (await import('../../functions/worker.js')).handler as never;
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('a revoked key: exactly one needs-attention event and alert; later failed probes add none; the restored key brings `recovered`', async () => {
    // Prepare
    await register('revoked');
    local.simulator.company('revoked').updateKey(FAKE_API_KEY, { disabled: true });

    // Act: the next sync fails for good; two probes fail; the key works again; the next probe succeeds
    await requestSync(local.deps, 'revoked');
    await drain();
    const parked = await local.deps.tenants.get('revoked');
    await probe('revoked', Date.parse(parked!.attention!.nextProbeAt) + 1000);
    const again = await local.deps.tenants.get('revoked');
    await probe('revoked', Date.parse(again!.attention!.nextProbeAt) + 1000);
    const alertsWhileDown = alertsOf('revoked').map((a) => a.type);
    local.simulator.company('revoked').updateKey(FAKE_API_KEY, { disabled: false });
    const last = await local.deps.tenants.get('revoked');
    await probe('revoked', Date.parse(last!.attention!.nextProbeAt) + 1000);

    // Assess
    expect(alertsWhileDown).toEqual(['needs-attention']);
    expect(alertsOf('revoked').map((a) => a.type)).toEqual(['needs-attention', 'recovered']);
    expect(alertsOf('revoked')[0]).toMatchObject({ subject: expect.stringContaining('revoked needs attention'), message: expect.stringContaining('bamboohr-sync tenant update revoked --api-key-stdin') });
    expect(await local.deps.tenants.get('revoked')).toMatchObject({ status: 'active', attention: null });
    const activity = (await cli(['activity', 'revoked'])) as { activity: ActivityEvent[] };
    expect(activity.activity.map((e) => e.type)).toEqual(['recovered', 'needs-attention', 'registered']);
    expect(activity.activity.find((e) => e.type === 'registered')).toMatchObject({ actor: 'test-support' });
    expect(activity.activity.find((e) => e.type === 'recovered')).toMatchObject({ actor: 'scheduler (probe)', runId: expect.any(String) });
  });

  it('a held run and the run allowed afterwards: held (an alert) then held-allowed (by whom)', async () => {
    // Prepare
    await register('shrunk');
    const shrunk = local.simulator.company('shrunk');
    for (const employee of shrunk.employees().slice(0, 12)) shrunk.removeEmployee(employee.id);

    // Act
    await requestSync(local.deps, 'shrunk');
    await drain();
    await requestSync(local.deps, 'shrunk', { allowDeactivations: true, actor: 'arn:aws:iam::123456789012:user/support' });
    await drain();

    // Assess
    expect(alertsOf('shrunk').map((a) => a.type)).toEqual(['held']);
    expect(alertsOf('shrunk')[0]!.message).toMatch(/would deactivate \d+ and reactivate 0/);
    const activity = (await cli(['activity', 'shrunk'])) as { activity: ActivityEvent[] };
    expect(activity.activity.slice(0, 2).map((e) => [e.type, e.actor])).toEqual([
      ['held-allowed', 'arn:aws:iam::123456789012:user/support'],
      ['held', 'worker (support job)'],
    ]);
    expect((await local.deps.tenants.get('shrunk'))?.lastRun?.status).toBe('succeeded');
  });

  it('a dead-lettered job: an event and an alert for its tenant, saying how to redrive it', async () => {
    // Prepare: a body that is not a job, in the tenant's message group
    await register('poisoned');
    await local.emulators.sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"broken": true}', MessageGroupId: 'poisoned', MessageDeduplicationId: 'poison-1' }));

    // Act
    await drain();

    // Assess
    expect(alertsOf('poisoned').map((a) => a.type)).toEqual(['dead-lettered']);
    expect(alertsOf('poisoned')[0]!.message).toMatch(/dlq redrive \S+/);
  });

  it('a stale tenant: one event and alert when the scheduler finds it, none the next period', async () => {
    // Prepare: registered long ago, never synced since (say its runs are held)
    company('forgotten');
    await local.deps.tenants.create(aTenant({ tenantId: 'forgotten', subdomain: 'forgotten', createdAt: new Date(Date.now() - 30 * HOUR).toISOString() }));
    await local.deps.secrets.put('forgotten', { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
    const schedule = { ...local.deps, scheduleState: new InMemoryScheduleState(), settings: local.config.schedule };
    schedule.scheduleState.value = Date.now() - HOUR;
    local.simulator.injectFault({ kind: 'status', status: 503, subdomain: 'forgotten', times: 1000 }); // its syncs keep failing

    // Act: two periods of the scheduler
    await enqueueScheduledSyncs(schedule, { scheduledAt: new Date().toISOString() });
    await enqueueScheduledSyncs(schedule, { scheduledAt: new Date(Date.now() + HOUR).toISOString() });
    await local.emulators.sqs.client.send(new (await import('@aws-sdk/client-sqs')).PurgeQueueCommand({ QueueUrl: queueUrl() }));
    local.simulator.clearFaults();

    // Assess
    expect(alertsOf('forgotten').map((a) => a.type)).toEqual(['stale']);
    expect(alertsOf('forgotten')[0]!.message).toMatch(/No successful sync for 30 h \(never since it was registered\)/);
    const listed = (await cli(['tenant', 'list'])) as { tenants: Array<{ tenantId: string; stale: boolean; lastSuccessAt: string | null }> };
    expect(listed.tenants.find((t) => t.tenantId === 'forgotten')).toMatchObject({ stale: true, lastSuccessAt: null });
  });

  it('alerts --json lists every alert of every tenant, newest first', async () => {
    // Act
    const result = (await cli(['alerts', '--since', '2h'])) as { since: string; alerts: ActivityEvent[] };

    // Assess
    const types = new Set(result.alerts.map((a) => `${a.tenantId}:${a.type}`));
    for (const expected of ['revoked:needs-attention', 'revoked:recovered', 'shrunk:held', 'poisoned:dead-lettered', 'forgotten:stale']) expect(types).toContain(expected);
    const times = result.alerts.map((a) => a.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(result.alerts.some((a) => a.type === 'registered' || a.type === 'held-allowed')).toBe(false);
  });
});
