import { connectWithKey, createInvite } from '../../lib/use-cases/connect-tenant.js';
import { FixedClock, InMemoryInviteStore, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const KEY = 'good-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';

/** DynamoDB failing the one write that spends the link (throttled, a network blip). */
class SpendFailingInviteStore extends InMemoryInviteStore {
  override async spend(): Promise<boolean> {
    throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
  }
}

describe('review: spending the link fails after the tenant was registered', () => {
  it('still tells the customer their BambooHR is connected (it is: the tenant is registered and active)', async () => {
    // Prepare
    const clock = new FixedClock();
    const tenants = new InMemoryTenantStore();
    const deps = aConnectDeps({
      tenants,
      clock,
      invites: new SpendFailingInviteStore(),
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);

    // Act
    const answer = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: KEY }).catch((error: unknown) => error);

    // Assess: the tenant is registered and active, and the page says so (not "something went wrong; nothing was saved")
    expect((await tenants.get('acme'))?.status).toBe('active');
    expect(answer).toMatchObject({ status: 'connected', tenantId: 'acme' });
  });
});
