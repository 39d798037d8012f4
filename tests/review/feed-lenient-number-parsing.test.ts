import { FEED_ROUTES, routeRequest } from '../../lib/admin-routes.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

/**
 * The feed's query parameters go through `Number(value)` (admin-routes.ts `int`), which reads hex,
 * binary, octal and exponent notation and ignores surrounding blanks: `after=0x10` is after 16,
 * `after=0b11` after 3, `limit=1e1` a limit of 10. A product (or a proxy) that mangles its stored
 * seq gets a 200 that reads from a seq it never had, rather than a 400 naming the parameter.
 */
describe('review: non-decimal numbers in the feed\'s query parameters', () => {
  it.each([
    ['after', '0x2'],
    ['after', '0b10'],
    ['after', '2e0'],
    ['limit', '0x10'],
    ['limit', '1e1'],
  ])('%s=%s is refused with a 400 naming the parameter', async (name, value) => {
    // Prepare
    const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2'), aRawRow('3')]);
    const h = await aSyncHarness({}, source);
    expect((await syncTenant(h.deps, aJob())).outcome).toBe('succeeded');
    const deps = { ...h.deps } as unknown as Parameters<typeof routeRequest>[1];

    // Act
    const response = await routeRequest(FEED_ROUTES, deps, {
      routeKey: 'GET /tenants/{tenantId}/changes',
      headers: {},
      pathParameters: { tenantId: 'acme' },
      queryStringParameters: { [name]: value },
      isBase64Encoded: false,
    }, undefined);

    // Assess
    const body = JSON.parse(response.body) as { error?: { message: string } };
    expect(response.statusCode).toBe(400);
    expect(body.error?.message).toContain(name);
  });
});
