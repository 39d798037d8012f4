import { FEED_ROUTES, routeRequest } from '../../lib/admin-routes.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

/**
 * A product polling `changes?after=N` stores the `nextAfter` it gets back and polls from there. An
 * `after` the feed never handed out (past its committed seq: a huge, mistyped or corrupted value) is
 * accepted with a 200 and echoed back as `nextAfter`, so the product silently stops receiving changes
 * until the feed's seq passes that number (never, for 1e21). The brief, and every other parameter of
 * the API, expect a clear 400 naming the parameter.
 */
describe('review: changes?after= past the committed seq', () => {
  it.each(['99999999999999999999', '1e21', '1000'])('after=%s is refused with a 400 naming `after`, not echoed back as nextAfter', async (after) => {
    // Prepare: a tenant with 3 committed changes (seqs 1-3)
    const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2'), aRawRow('3')]);
    const h = await aSyncHarness({}, source);
    expect((await syncTenant(h.deps, aJob())).outcome).toBe('succeeded');
    expect(await h.feed.committedSeq('acme')).toBe(3);
    const deps = { ...h.deps } as unknown as Parameters<typeof routeRequest>[1];

    // Act
    const response = await routeRequest(FEED_ROUTES, deps, {
      routeKey: 'GET /tenants/{tenantId}/changes',
      headers: {},
      pathParameters: { tenantId: 'acme' },
      queryStringParameters: { after },
      isBase64Encoded: false,
    }, undefined);

    // Assess
    const body = JSON.parse(response.body) as { error?: { code: string; message: string }; nextAfter?: number };
    expect({ status: response.statusCode, nextAfter: body.nextAfter }).toEqual({ status: 400, nextAfter: undefined });
    expect(body.error?.message).toMatch(/after/);
  });
});
