import { connectWithKey, createInvite, InviteInvalidError } from '../../lib/use-cases/connect-tenant.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const SUPPORT_KEY = 'support-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';
const CUSTOMER_KEY = 'customer-key-1a2b3c4d5e6f7a8b9c0d1e2f3a4b';

/** A BambooHR answering the customer's key slowly (its first field list waits for `gate`). */
class GatedSource extends FakeEmployeeSource {
  private first = true;
  constructor(
    rows: ReturnType<typeof aRawRow>[],
    private readonly gate: Promise<void>,
  ) {
    super(rows);
  }
  override async listFields() {
    if (this.first) {
      this.first = false;
      await this.gate;
    }
    return super.listFields();
  }
}

describe('review: support registering the id while a complete connection of its register link is checked', () => {
  it("answers the customer that the link is done (as the incomplete path does), not with support's 'tenant update' command", async () => {
    // Prepare: a register link for 'acme'; the customer's key sees everything, BambooHR is slow to answer it
    const clock = new FixedClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const customerSource = new GatedSource([aRawRow('1'), aRawRow('2')], gate);
    const supportSource = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
    const tenants = new InMemoryTenantStore();
    const deps = aConnectDeps({
      tenants,
      clock,
      employeeSource: (input) => (input.apiKey === CUSTOMER_KEY ? customerSource : supportSource),
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);

    // Act: the customer's connection starts; support registers 'acme' with `tenant add` meanwhile; BambooHR answers
    const customer = connectWithKey(deps, token, { subdomain: 'acme', apiKey: CUSTOMER_KEY }).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: SUPPORT_KEY, exclusionField: null, actor: 'support' });
    release();
    const answer = await customer;

    // Assess: the link is done (the tenant was registered by support), in the customer's words
    expect(answer).toBeInstanceOf(InviteInvalidError);
    expect((answer as Error).message).not.toContain('bamboohr-sync');
  });
});
