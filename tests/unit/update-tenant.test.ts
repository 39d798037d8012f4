import { ConfirmationRequiredError, ExclusionFieldNotFoundError } from '../../lib/errors.js';
import { updateTenant, type UpdateTenantDeps } from '../../lib/use-cases/update-tenant.js';
import { aRawRow, aSyncedEntry, aTenant, anEmployee, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemorySecretStore, InMemorySnapshotStore, InMemoryTenantStore, RecordingActivity } from '../helpers/in-memory-ports.js';

const setup = async (source: FakeEmployeeSource) => {
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  const snapshots = new InMemorySnapshotStore();
  await tenants.create(aTenant({ exclusionField: 'skip_elevo_sync', exclusionFieldId: '4501' }));
  await secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
  // One person left the product by ticking the box after being synced.
  await snapshots.put('acme', [aSyncedEntry(anEmployee('1')), { ...aSyncedEntry(anEmployee('2')), state: 'deactivated', reason: 'excluded' }]);
  const deps: UpdateTenantDeps = { tenants, secrets, snapshots, clock: new FixedClock(), employeeSource: () => source, deployment: { publicBaseUrl: async () => 'https://hooks.example.com' }, activity: new RecordingActivity() };
  return { deps, tenants };
};

describe('updateTenant: turning exclusion off (hardening 4)', () => {
  it('asks for confirmation, saying how many people who opted out would be sent, and saves nothing', async () => {
    // Prepare: 2 and 3 have the box ticked (3 was never synced)
    const source = new FakeEmployeeSource([aRawRow('1', { '4501': '0' }), aRawRow('2', { '4501': '1' }), aRawRow('3', { '4501': '1' })]);
    const { deps, tenants } = await setup(source);

    // Act
    const act = updateTenant(deps, 'acme', { exclusionField: null });

    // Assess
    await expect(act).rejects.toThrow(ConfirmationRequiredError);
    await expect(act).rejects.toThrow(/2 people who opted out/);
    expect((await tenants.get('acme'))?.exclusionField).toBe('skip_elevo_sync');
  });

  it('turns it off with the confirmation', async () => {
    // Prepare
    const source = new FakeEmployeeSource([aRawRow('1', { '4501': '0' }), aRawRow('2', { '4501': '1' })]);
    const { deps, tenants } = await setup(source);

    // Act
    const result = await updateTenant(deps, 'acme', { exclusionField: null, confirm: true });

    // Assess
    expect(result.tenant.exclusionField).toBeNull();
    expect((await tenants.get('acme'))?.exclusionField).toBeNull();
  });

  it('counts from the snapshot when the field itself is gone, and still asks', async () => {
    // Prepare
    const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
    source.fields = [];
    source.hiddenFields.add('4501');
    const { deps } = await setup(source);

    // Act
    const act = updateTenant(deps, 'acme', { exclusionField: null });

    // Assess
    await expect(act).rejects.toThrow(/at least 1 person who opted out/);
  });
});

describe('the exclusion-field-missing advice (hardening 4)', () => {
  it('leads with restoring the field and the access to it, and warns what turning exclusion off does', () => {
    // Act
    const message = new ExclusionFieldNotFoundError('acme', 'skip_elevo_sync', 'acme').message;

    // Assess
    expect(message).toMatch(/nobody is synced.*Ask the customer to restore/s);
    expect(message.indexOf('restore')).toBeLessThan(message.indexOf('--no-exclusion'));
    expect(message).toContain('--no-exclusion --yes');
    expect(message).toMatch(/sends everyone who opted out/);
  });
});

describe("updateTenant: the service's own webhooks in BambooHR", () => {
  const URL = 'https://hooks.example.com/webhooks/bamboohr/acme';
  /** A company whose exclusion checkbox is the tenant's (by its API name). */
  const aCompanySource = (): FakeEmployeeSource => {
    const source = new FakeEmployeeSource([aRawRow('1', { '4501': '0' })]);
    source.fields = [{ id: '4501', name: 'Skip Elevo Sync', type: 'checkbox', alias: 'skip_elevo_sync' }];
    return source;
  };

  it('deletes the webhook it made before once a new one is made, or the webhook is turned off; another tenant\'s stays', async () => {
    // Prepare
    const source = aCompanySource();
    const { deps } = await setup(source);
    await updateTenant(deps, 'acme', { webhook: { createAtUrl: null } });
    source.webhooks.push({ id: '99', url: 'https://hooks.example.com/webhooks/bamboohr/acme-eu' });

    // Act
    const again = await updateTenant(deps, 'acme', { webhook: { createAtUrl: null } });
    const afterAgain = source.webhooks.map((w) => w.id);
    const off = await updateTenant(deps, 'acme', { webhook: null });

    // Assess
    expect(again.warnings).toEqual([]);
    expect(afterAgain).toEqual(['99', '2']);
    expect(off.tenant.webhookEnabled).toBe(false);
    expect(source.deletedWebhooks).toEqual(['1', '2']);
    expect(source.webhooks).toEqual([{ id: '99', url: 'https://hooks.example.com/webhooks/bamboohr/acme-eu' }]);
    expect(await deps.secrets.get('acme')).toMatchObject({ webhookPrivateKey: null });
  });

  it('saves the change all the same when the old webhook cannot be deleted, and says which to delete', async () => {
    // Prepare
    const source = aCompanySource();
    const { deps } = await setup(source);
    await updateTenant(deps, 'acme', { webhook: { createAtUrl: null } });
    source.listWebhooks = async () => {
      throw new Error('BambooHR is unavailable');
    };

    // Act
    const off = await updateTenant(deps, 'acme', { webhook: null });

    // Assess
    expect(off.tenant.webhookEnabled).toBe(false);
    expect(off.warnings.join(' ')).toContain(URL);
    expect(await deps.secrets.get('acme')).toMatchObject({ webhookPrivateKey: null });
  });

  it('leaves webhooks alone when a pasted private key replaces the stored one', async () => {
    // Prepare
    const source = aCompanySource();
    const { deps } = await setup(source);
    await updateTenant(deps, 'acme', { webhook: { createAtUrl: null } });

    // Act
    await updateTenant(deps, 'acme', { webhook: { privateKey: 'pasted-webhook-key-0123456789' } });

    // Assess
    expect(source.deletedWebhooks).toEqual([]);
    expect(source.webhooks.map((w) => w.id)).toEqual(['1']);
  });
});
