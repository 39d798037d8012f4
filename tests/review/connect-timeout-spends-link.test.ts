import { connectWithKey, createInvite, openInvite } from '../../lib/use-cases/connect-tenant.js';
import { aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemorySecretStore, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const KEY = 'good-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';

/**
 * A large company's BambooHR: the connect path asks for the field list and the whole report twice
 * (inspectBambooHrAccess, then registerTenant's checkBambooHrAccess), each attempt allowed 30 s
 * (BAMBOOHR_TIMEOUT_MS) with 4 retries, in a function that lives 29 s. The second round never
 * answers within the Lambda's life: the invocation is killed there (modelled as a call that never returns).
 */
class SlowSecondRoundSource extends FakeEmployeeSource {
  private fieldLists = 0;
  override async listFields() {
    this.fieldLists += 1;
    if (this.fieldLists > 1) return new Promise<never>(() => undefined);
    return super.listFields();
  }
}

describe('review: the connect Lambda killed (timeout) during a registration', () => {
  it('leaves the link usable when the function dies after spending it and before anything was connected', async () => {
    // Prepare
    const clock = new FixedClock();
    const tenants = new InMemoryTenantStore();
    const secrets = new InMemorySecretStore();
    const source = new SlowSecondRoundSource([aRawRow('1'), aRawRow('2')]);
    const deps = aConnectDeps({
      tenants,
      secrets,
      clock,
      employeeSource: () => source,
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);

    // Act: the customer pastes a key; the invocation is killed while registerTenant re-checks BambooHR
    void connectWithKey(deps, token, { subdomain: 'acme', apiKey: KEY });
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));

    // Assess: nothing was connected (no tenant, no key stored), so the customer's retry must work
    expect(await tenants.get('acme')).toBeNull();
    expect(await secrets.get('acme')).toBeNull();
    await expect(openInvite(deps, token)).resolves.toMatchObject({ invite: { tenantId: 'acme' } });
  });
});
