import { TenantChangedError } from '../../lib/errors.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { aTenant } from '../helpers/builders.js';
import { FixedClock, InMemoryTenantStore, RecordingActivity } from '../helpers/in-memory-ports.js';

describe('setTenantStatus', () => {
  it('disables and enables a tenant', async () => {
    // Prepare
    const tenants = new InMemoryTenantStore();
    await tenants.create(aTenant({ status: 'needs-attention', statusReason: 'key rejected' }));

    // Act
    const disabled = await setTenantStatus({ tenants, clock: new FixedClock(), activity: new RecordingActivity() }, 'acme', 'disable');
    const enabled = await setTenantStatus({ tenants, clock: new FixedClock(), activity: new RecordingActivity() }, 'acme', 'enable');

    // Assess
    expect(disabled).toMatchObject({ status: 'disabled', statusReason: 'disabled by support' });
    expect(enabled).toMatchObject({ status: 'active', statusReason: null });
    expect((await tenants.get('acme'))?.status).toBe('active');
  });

  it('saves nothing when a worker changed the status between the read and the save', async () => {
    // Prepare: a run puts the tenant in needs-attention right after support's read
    const tenants = new InMemoryTenantStore();
    await tenants.create(aTenant());
    const get = tenants.get.bind(tenants);
    tenants.get = async (id: string) => {
      const read = await get(id);
      await tenants.recordRun(id, { runId: 'r', kind: 'full', status: 'failed', startedAt: '', finishedAt: null, counts: {}, warnings: 0, error: 'key rejected', employeesSynced: null }, { status: 'needs-attention', reason: 'key rejected', from: ['active'], attention: null });
      return read;
    };

    // Act
    const act = setTenantStatus({ tenants, clock: new FixedClock(), activity: new RecordingActivity() }, 'acme', 'enable');

    // Assess
    await expect(act).rejects.toThrow(TenantChangedError);
    expect((await get('acme'))?.status).toBe('needs-attention');
  });
});
