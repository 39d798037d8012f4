import { TenantNotFoundError } from '../errors.js';
import type { Tenant } from '../model/tenant.js';
import type { Clock, TenantStore } from '../ports.js';
import type { ActivityRecorder } from './record-activity.js';

/**
 * `disable` stops scheduled and webhook syncs and keeps every item; `enable` makes the tenant
 * active again (also clearing a needs-attention state once support has fixed the cause).
 */
export const setTenantStatus = async (
  deps: { tenants: TenantStore; clock: Clock; activity: ActivityRecorder },
  tenantId: string,
  action: 'disable' | 'enable',
  actor = 'unknown',
): Promise<Tenant> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  const updated: Tenant = {
    ...tenant,
    status: action === 'disable' ? 'disabled' : 'active',
    statusReason: action === 'disable' ? 'disabled by support' : null,
    updatedAt: deps.clock.now().toISOString(),
    // Staleness counts from here for a tenant made active again: it has not been unsynced all along.
    activeSince: action === 'enable' && tenant.status !== 'active' ? deps.clock.now().toISOString() : tenant.activeSince,
  };
  await deps.tenants.save(updated, { expectedStatus: tenant.status });
  await deps.activity.record({
    tenantId,
    type: action === 'disable' ? 'disabled' : 'enabled',
    actor,
    message:
      action === 'disable'
        ? 'Disabled: no scheduled or webhook syncs until it is enabled; its data is kept.'
        : `Enabled${tenant.status === 'needs-attention' ? ` (it needed attention: ${tenant.statusReason ?? 'unknown'})` : ''}: scheduled and webhook syncs run again.`,
  });
  return updated;
};
