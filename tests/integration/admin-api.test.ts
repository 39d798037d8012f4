import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, anHttpEvent, drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

const TOKEN = 'test-admin-token';
const FEED_TOKEN = 'test-feed-token';
type HttpHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

describe('the admin and change-feed HTTP APIs', () => {
  let local: LocalService;
  let admin: HttpHandler;
  let changes: HttpHandler;
  let worker: WorkerHandler;
  const call = async (handler: HttpHandler, routeKey: string, options: Parameters<typeof anHttpEvent>[1] = {}) => {
    const response = await handler(anHttpEvent(routeKey, { token: handler === changes ? FEED_TOKEN : TOKEN, ...options }), aLambdaContext('api'));
    return { status: response.statusCode, body: JSON.parse(response.body), raw: response.body };
  };
  const register = (tenantId: string, extra: Record<string, unknown> = {}) =>
    call(admin, 'POST /tenants', { body: { tenantId, subdomain: tenantId, apiKey: FAKE_API_KEY, ...extra } });

  beforeAll(async () => {
    local = await startLocalService();
    process.env.ADMIN_TOKEN = TOKEN;
    process.env.FEED_TOKEN = FEED_TOKEN;
    for (const subdomain of ['acme', 'blind', 'gone']) {
      local.simulator.addCompany({
        subdomain,
        keys: [{ apiKey: FAKE_API_KEY, ...(subdomain === 'blind' ? { hiddenFields: ['workEmail'] } : {}) }],
        employees: generateEmployees({ count: 25, seed: subdomain.length, today: '2026-11-25' }),
      });
    }
    admin = (await import('../../functions/admin-api.js')).handler as never;
    changes = (await import('../../functions/changes-api.js')).handler as never;
    worker = (await import('../../functions/worker.js')).handler as never;
  });

  afterAll(async () => {
    delete process.env.ADMIN_TOKEN;
    delete process.env.FEED_TOKEN;
    await local?.stop();
  });

  it('refuses a request without the admin token', async () => {
    // Act
    const response = await call(admin, 'GET /tenants', { token: 'wrong' });
    const feed = await call(changes, 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'acme' }, token: '' });

    // Assess
    expect(response.status).toBe(401);
    expect(feed.status).toBe(401);
  });

  it('gives the feed API (what the product calls) its own token: the admin token does not open it, nor the feed token the admin API (hardening 17)', async () => {
    // Act
    const feedWithAdminToken = await call(changes, 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'acme' }, token: TOKEN });
    const adminWithFeedToken = await call(admin, 'GET /tenants', { token: FEED_TOKEN });
    const feed = await call(changes, 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'nobody' } });

    // Assess
    expect(feedWithAdminToken.status).toBe(401);
    expect(adminWithFeedToken.status).toBe(401);
    expect(feed.status).toBe(404); // through the token check: no such tenant
  });

  it('answers 400, not 500, for a malformed escape in a path parameter (hardening 18)', async () => {
    // Act
    const response = await call(admin, 'GET /tenants/{tenantId}', { params: { tenantId: '%E0%A4%A' } });

    // Assess
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'invalid-path' } } });
  });

  it('answers validation errors with a 4xx and {error: {code, message}}', async () => {
    // Act
    const badSubdomain = await call(admin, 'POST /tenants', { body: { tenantId: 'x', subdomain: '../x', apiKey: FAKE_API_KEY } });
    const unknownField = await call(admin, 'POST /tenants', { body: { tenantId: 'x', subdomain: 'x', apiKey: FAKE_API_KEY, surprise: 1 } });
    const notJson = await call(admin, 'POST /tenants', { body: '{"tenantId":' });

    // Assess
    expect(badSubdomain).toMatchObject({ status: 400, body: { error: { code: 'invalid-input', message: expect.stringContaining('subdomain') } } });
    expect(unknownField.status).toBe(400);
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'invalid-json' } } });
  });

  it('registers a tenant without ever echoing the key, and refuses a bad key saving nothing', async () => {
    // Act
    const created = await register('acme');
    const refused = await call(admin, 'POST /tenants', { body: { tenantId: 'nokey', subdomain: 'acme', apiKey: 'wrong-key' } });
    const list = await call(admin, 'GET /tenants');

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.tenant).toMatchObject({ tenantId: 'acme', status: 'active' });
    expect(created.raw).not.toContain(FAKE_API_KEY);
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'bamboohr-key-rejected' } } });
    expect(list.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual(['acme']);
    expect(list.raw).not.toContain(FAKE_API_KEY);
  });

  it('saves a key that cannot see Work Email with a warning and a crossed checklist item', async () => {
    // Act
    const created = await register('blind');

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.access.checklist).toContainEqual({ apiName: 'workEmail', uiName: 'Work Email', visible: false, required: false });
    expect(created.body.warnings.join(' ')).toContain('Work Email');
  });

  it('previews without writing, queues a sync, and pages the feed', async () => {
    // Act
    const preview = await call(admin, 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: { dryRun: true } });
    const afterPreview = await call(changes, 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'acme' } });
    const queued = await call(admin, 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: {} });
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    const run = await call(admin, 'GET /tenants/{tenantId}/runs/{runId}', { params: { tenantId: 'acme', runId: queued.body.runId } });
    const page1 = await call(changes, 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'acme' }, query: { limit: '10' } });
    const page2 = await call(changes, 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'acme' }, query: { after: String(page1.body.nextAfter), limit: '1000' } });
    const employees = await call(changes, 'GET /tenants/{tenantId}/employees', { params: { tenantId: 'acme' }, query: { limit: '5' } });

    // Assess
    expect(preview.status).toBe(200);
    expect(preview.body.preview.counts.created).toBeGreaterThan(0);
    expect(afterPreview.body).toEqual({ changes: [], nextAfter: 0 });
    expect(queued.status).toBe(202);
    expect(run.body.run).toMatchObject({ status: 'succeeded', requestedBy: 'support' });
    expect(page1.body.changes.map((c: { seq: number }) => c.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page1.body.nextAfter).toBe(10);
    expect(page2.body.changes[0].seq).toBe(11);
    expect(page1.body.changes.length + page2.body.changes.length).toBe(preview.body.preview.totalChanges);
    expect(employees.body.employees).toHaveLength(5);
    expect(typeof employees.body.cursor).toBe('string');
    expect(employees.body.seq).toBe(page2.body.nextAfter);
    expect(employees.body.employees[0]).toHaveProperty('seq');
  });

  it('disables and enables a tenant, and refuses a sync while disabled', async () => {
    // Act
    const disabled = await call(admin, 'PATCH /tenants/{tenantId}', { params: { tenantId: 'acme' }, body: { status: 'disabled' } });
    const refused = await call(admin, 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: {} });
    const enabled = await call(admin, 'PATCH /tenants/{tenantId}', { params: { tenantId: 'acme' }, body: { status: 'active' } });

    // Assess
    expect(disabled.body.tenant.status).toBe('disabled');
    expect(refused.status).toBe(400);
    expect(enabled.body.tenant.status).toBe('active');
  });

  it('updates safeguards and removes a tenant with its secret, snapshot, feed and runs', async () => {
    // Prepare
    await register('gone');
    await call(admin, 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'gone' }, body: {} });
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);

    // Act
    const patched = await call(admin, 'PATCH /tenants/{tenantId}', { params: { tenantId: 'gone' }, body: { safeguards: { deactivationThresholdPct: 50 } } });
    const removed = await call(admin, 'DELETE /tenants/{tenantId}', { params: { tenantId: 'gone' } });
    const shown = await call(admin, 'GET /tenants/{tenantId}', { params: { tenantId: 'gone' } });

    // Assess
    expect(patched.body.tenant.safeguards).toEqual({ deactivationThresholdPct: 50, deactivationMin: 5 });
    expect(removed.status).toBe(200);
    expect(shown.status).toBe(404);
    expect(await local.deps.secrets.get('gone')).toBeNull();
    expect((await local.deps.snapshots.load('gone')).size).toBe(0);
    expect(await local.deps.runs.list('gone', 10)).toEqual([]);
    expect(await local.deps.feed.readRange('gone', 0, 1000)).toEqual([]);
  });
});
