import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, anHttpEvent } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

const TOKEN = 'review-14-admin-token';
type HttpHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

/**
 * Issue 14, guarantee 5: `GET /alerts?since=` and `GET /tenants/{id}/activity?before=` answer bad
 * input with a 400 and a clear message, never a 500 (README: "Errors come as {error: {code, message}}").
 */
describe('review 14: paging the activity log and the alerts with bad input', () => {
  let local: LocalService;
  let admin: HttpHandler;
  const call = async (routeKey: string, options: Parameters<typeof anHttpEvent>[1] = {}) => {
    const response = await admin(anHttpEvent(routeKey, { token: TOKEN, ...options }), aLambdaContext('api'));
    return { status: response.statusCode, body: JSON.parse(response.body) as { error?: { code: string; message: string } } };
  };

  beforeAll(async () => {
    local = await startLocalService();
    process.env.ADMIN_TOKEN = TOKEN;
    local.simulator.addCompany({ subdomain: 'acme', keys: [{ apiKey: FAKE_API_KEY }], employees: generateEmployees({ count: 5, seed: 4, today: '2026-11-25' }) });
    await registerTenant(local.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, actor: 'test-support' });
    admin = (await import('../../functions/admin-api.js')).handler as never;
  });

  afterAll(async () => {
    delete process.env.ADMIN_TOKEN;
    await local?.stop();
  });

  it('answers 400 with a clear message, not 500, for a `since` duration reaching back beyond any representable date', async () => {
    // Act
    const response = await call('GET /alerts', { query: { since: '100000000000h' } });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(/since|time|date/i);
  });

  it('answers 400 with a clear message, not 500, for a `before` that is far too long to be an event id', async () => {
    // Act
    const response = await call('GET /tenants/{tenantId}/activity', { params: { tenantId: 'acme' }, query: { before: `2026-11-25T10:00:00.000Z#${'f'.repeat(2000)}` } });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(/before|event/i);
  });

  it('answers 400 for a `before` that is not an event id, rather than a page that silently ignores it', async () => {
    // Act: a typo'd cursor (e.g. a run id pasted instead of an event id)
    const response = await call('GET /tenants/{tenantId}/activity', { params: { tenantId: 'acme' }, query: { before: 'not-an-event-id' } });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(/before|event/i);
  });
});
