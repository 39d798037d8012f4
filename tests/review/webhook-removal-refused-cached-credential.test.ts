import { OAUTH_SCOPES } from '../../lib/config.js';
import { BambooHrAuthError } from '../../lib/errors.js';
import type { EmployeeSourceFactory, OAuthGrant } from '../../lib/ports.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { removeTenant } from '../../lib/use-cases/remove-tenant.js';
import { RotatingTokenEndpoint } from '../helpers/connect-deps.js';
import { aRawRow, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryMarkerStore, InMemorySecretStore } from '../helpers/in-memory-ports.js';
import { aTenantAdminDeps } from '../helpers/tenant-admin-deps.js';

const BASE = 'https://hooks.example.com';

/**
 * The Secrets Manager store answers from its cache (SECRET_CACHE_SECONDS, 300 s) unless asked `fresh`
 * (InMemorySecretStore.cached models it). syncTenant knows a refused credential may be a cached one
 * that was replaced meanwhile: it reads the key again uncached, or (OAuth) takes/refreshes the grant
 * with `usableSecret(..., { refused: true })`, and tries once more (tests/unit/sync-tenant.test.ts).
 * Found by the review of webhook deletion on removal: removeTenant did neither, gave up on the
 * webhook, then deleted the working credential, so the webhook could no longer be deleted at all.
 */
const aTenant = async (credential: { apiKey: string } | { oauth: OAuthGrant }, sourceFor: EmployeeSourceFactory) => {
  const clock = new FixedClock();
  const deps = aTenantAdminDeps(sourceFor, { clock, markers: new InMemoryMarkerStore(clock) });
  await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', ...credential, webhook: { createAtUrl: null } });
  return { deps, clock };
};

describe('removeTenant when BambooHR refuses a cached credential that was replaced meanwhile', () => {
  it('API key: support replaced the key in another admin Lambda (and made the webhook with the new one), the old key is revoked; the webhook is deleted with the current key', async () => {
    // Prepare
    const company = new FakeEmployeeSource([aRawRow('1')]);
    const revoked = new FakeEmployeeSource();
    revoked.failWith = new BambooHrAuthError('acme', 401, 'acme');
    const { deps } = await aTenant({ apiKey: FAKE_API_KEY }, ({ apiKey }) => (apiKey === 'old-revoked-key-0a1b2c3d' ? revoked : company));
    const secrets = deps.secrets as InMemorySecretStore;
    secrets.cached.set('acme', { apiKey: 'old-revoked-key-0a1b2c3d', webhookPrivateKey: 'webhook-private-key' });

    // Act
    const result = await removeTenant(deps, 'acme', 'support@example.com');

    // Assess
    expect(company.webhooks).toEqual([]);
    expect(result).toEqual({ webhooksDeleted: 1, webhookProblem: null });
  });

  it('OAuth: a worker rotated the grant; the cached access token is refused; the webhook is deleted with the current one', async () => {
    // Prepare: the company accepts only the current access token
    const clock = new FixedClock();
    const company = new FakeEmployeeSource([aRawRow('1')]);
    const refused = new FakeEmployeeSource();
    refused.failWith = new BambooHrAuthError('acme', 401, 'acme');
    let current = 'access-1-5b7d9f1a3c';
    const grant = (accessToken: string, refreshToken: string): OAuthGrant => ({
      accessToken,
      refreshToken,
      expiresAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      scopes: [...OAUTH_SCOPES],
    });
    const { deps } = await aTenant({ oauth: grant(current, 'refresh-1-2c4e6a8b0d') }, ({ accessToken }) => (accessToken === current ? company : refused));
    const endpoint = new RotatingTokenEndpoint(deps.clock as FixedClock);
    deps.oauth = endpoint;
    // A worker refreshed and saved the new grant; this container still has the old one cached
    const old = (await deps.secrets.get('acme'))!;
    current = 'access-2-8e0a2c4e6f';
    await deps.secrets.put('acme', { ...old, oauth: grant(current, 'refresh-2-7f9b1d3e5a') });
    endpoint.live.add('refresh-2-7f9b1d3e5a');
    (deps.secrets as InMemorySecretStore).cached.set('acme', old);

    // Act
    const result = await removeTenant(deps, 'acme', 'support@example.com');

    // Assess
    expect(company.webhooks).toEqual([]);
    expect(result).toEqual({ webhooksDeleted: 1, webhookProblem: null });
  });
});
