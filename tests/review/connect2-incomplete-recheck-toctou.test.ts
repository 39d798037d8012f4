import type { TenantSecret } from '../../lib/ports.js';
import { connectWithKey, createInvite } from '../../lib/use-cases/connect-tenant.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemorySecretStore, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const SUPPORT_KEY = 'support-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';
const PARTIAL_KEY = 'partial-key-1a2b3c4d5e6f7a8b9c0d1e2f3a4b';

/** Secrets Manager taking a moment to store the customer's key: the write lands when the call returns. */
class SlowPutSecretStore extends InMemorySecretStore {
  slowFor: string | null = null;
  started: (() => void) | null = null;
  gate: Promise<void> = Promise.resolve();
  override async put(tenantId: string, secret: TenantSecret) {
    if (secret.apiKey !== null && secret.apiKey === this.slowFor) {
      this.started?.();
      await this.gate;
    }
    return super.put(tenantId, secret);
  }
}

describe('review: the incomplete path re-checks, then saves (not atomically)', () => {
  it("leaves support's key in place when support registers the id between the incomplete path's re-check and its save", async () => {
    // Prepare: a register link for 'acme'; the customer's key cannot see Status (incomplete: kept for "Check again")
    const clock = new FixedClock();
    const secrets = new InMemorySecretStore();
    // Where the link's incomplete credential is kept (a store of its own since this review): slow to save
    const kept = new SlowPutSecretStore();
    const tenants = new InMemoryTenantStore();
    const partial = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
    partial.hiddenFields.add('status');
    const good = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
    const deps = aConnectDeps({
      tenants,
      secrets,
      connecting: kept,
      clock,
      employeeSource: (input) => (input.apiKey === PARTIAL_KEY ? partial : good),
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);
    let land!: () => void;
    kept.slowFor = PARTIAL_KEY;
    kept.gate = new Promise<void>((resolve) => {
      land = resolve;
    });
    const saving = new Promise<void>((resolve) => {
      kept.started = resolve;
    });

    // Act: the customer's incomplete connection has re-checked (no tenant) and is saving its key;
    // support's `tenant add acme` runs meanwhile; then the customer's save lands
    const customer = connectWithKey(deps, token, { subdomain: 'acme', apiKey: PARTIAL_KEY }).catch((error: unknown) => error);
    await saving;
    await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: SUPPORT_KEY, exclusionField: null, actor: 'support' });
    land();
    await customer;

    // Assess: the registered, active tenant keeps support's key (the one that sees everything)
    expect((await tenants.get('acme'))?.status).toBe('active');
    expect((await secrets.get('acme', { fresh: true }))?.apiKey).toBe(SUPPORT_KEY);
  });
});
