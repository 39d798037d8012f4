import type { EmployeeSourceFactory } from '../../lib/ports.js';
import type { RegisterTenantDeps } from '../../lib/use-cases/register-tenant.js';
import type { RemoveTenantDeps } from '../../lib/use-cases/remove-tenant.js';
import { FixedClock, InMemoryChangeFeed, InMemoryRunStore, InMemorySecretStore, InMemorySnapshotStore, InMemoryTenantStore, RecordingActivity } from './in-memory-ports.js';

export const ADMIN_BASE_URL = 'https://hooks.example.com';

export type TenantAdminDeps = RemoveTenantDeps &
  RegisterTenantDeps & { tenants: InMemoryTenantStore; secrets: InMemorySecretStore; activity: RecordingActivity; clock: FixedClock };

/** In-memory ports to register and remove tenants with, reaching BambooHR through `employeeSource`. */
export const aTenantAdminDeps = (employeeSource: EmployeeSourceFactory, overrides: Partial<TenantAdminDeps> = {}): TenantAdminDeps => ({
  tenants: new InMemoryTenantStore(),
  secrets: new InMemorySecretStore(),
  snapshots: new InMemorySnapshotStore(),
  feed: new InMemoryChangeFeed(),
  runs: new InMemoryRunStore(),
  clock: new FixedClock(),
  employeeSource,
  deployment: { publicBaseUrl: async () => ADMIN_BASE_URL },
  activity: new RecordingActivity(),
  ...overrides,
});
