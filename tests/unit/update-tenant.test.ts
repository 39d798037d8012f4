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
