import { ConnectionInProgressError, connectWithKey, createInvite, InviteInvalidError } from '../../lib/use-cases/connect-tenant.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { InMemorySecretStore, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const GOOD_KEY = 'good-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';
const PARTIAL_KEY = 'partial-key-1a2b3c4d5e6f7a8b9c0d1e2f3a4b';

/** A BambooHR answering one key slowly (its field list waits for `gate`). */
class GatedSource extends FakeEmployeeSource {
  constructor(
    rows: ReturnType<typeof aRawRow>[],
    private readonly gate: Promise<void>,
  ) {
    super(rows);
  }
  override async listFields() {
    await this.gate;
    return super.listFields();
  }
}

/**
 * A register link for 'acme' and a BambooHR that answers the partial key (it cannot see Status) only
 * once `release` is called, and the good key at once.
 */
const arrange = async () => {
  const secrets = new InMemorySecretStore();
  const tenants = new InMemoryTenantStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const partial = new GatedSource([aRawRow('1'), aRawRow('2')], gate);
  partial.hiddenFields.add('status');
  const good = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
  const deps = aConnectDeps({ tenants, secrets, employeeSource: (input) => (input.apiKey === PARTIAL_KEY ? partial : good) });
  const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);
  return { deps, secrets, tenants, token, release };
};

describe('review: an incomplete connection finishing after the tenant was registered', () => {
  it("leaves the registered tenant's working key in place when a slower, incomplete connection of the same link finishes after it", async () => {
    // Prepare: a register link for 'acme'; tab B pastes a key that cannot see Status (BambooHR is slow
    // to answer it), tab A a key that sees everything
    const { deps, secrets, tenants, token, release } = await arrange();

    // Act: tab B starts (the tenant does not exist yet), tab A tries meanwhile and is told to wait,
    // then B's answer comes (incomplete), then A tries again
    const tabB = connectWithKey(deps, token, { subdomain: 'acme', apiKey: PARTIAL_KEY });
    await new Promise((resolve) => setImmediate(resolve));
    const tabAWhileB = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: GOOD_KEY }).catch((error: unknown) => error);
    release();
    const outcomeB = await tabB;
    const tabA = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: GOOD_KEY });

    // Assess: one attempt at a time; 'acme' is registered and active with the key that sees everything, and keeps it
    expect(tabAWhileB).toBeInstanceOf(ConnectionInProgressError);
    expect(outcomeB.status).toBe('incomplete');
    expect(tabA.status).toBe('connected');
    expect((await tenants.get('acme'))?.status).toBe('active');
    expect((await secrets.get('acme', { fresh: true }))?.apiKey).toBe(GOOD_KEY);
  });

  it("leaves support's key in place when support registers the id while a slower, incomplete connection of the link is answered", async () => {
    // Prepare
    const { deps, secrets, tenants, token, release } = await arrange();

    // Act
    const customer = connectWithKey(deps, token, { subdomain: 'acme', apiKey: PARTIAL_KEY }).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: GOOD_KEY, exclusionField: null, actor: 'support' });
    release();
    const answer = await customer;

    // Assess
    expect(answer).toBeInstanceOf(InviteInvalidError);
    expect((await secrets.get('acme', { fresh: true }))?.apiKey).toBe(GOOD_KEY);
  });
});
