import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTenantStore } from '../../lib/adapters/dynamodb-tenant-store.js';
import type { SecretStore } from '../../lib/ports.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { updateTenant } from '../../lib/use-cases/update-tenant.js';
import { aJob, aRawRow, aTenant } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness, parkForAttention } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;

/**
 * Review of 9880442: the feature lives in `attention` of an *active* tenant, which only the worker's
 * recordRun may change. DynamoDbTenantStore.save writes the configuration attributes only (never
 * `attention`), so support saving a tenant it read before a run ended the episode keeps the episode
 * ended. The in-memory fake's save writes back the whole object it is given, `attention` included:
 * in the unit tests a stale save resurrects the episode and the next run sends `recovered` a second
 * time, which DynamoDB never does (and a test of the opposite race would pass in the fake only).
 */
describe('the in-memory tenant store diverges from DynamoDB on `attention` (review of 9880442)', () => {
  it('keeps `attention` through a save of a tenant read before the run that ended the episode, as DynamoDbTenantStore does', async () => {
    // Prepare: what DynamoDbTenantStore.save writes
    const documentMock = mockClient(DynamoDBDocumentClient);
    documentMock.on(UpdateCommand).resolves({});
    await new DynamoDbTenantStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: 'tenants' }).save(
      aTenant({ status: 'active', attention: { since: '2026-11-25T10:00:00.000Z', probes: 1, nextProbeAt: '2026-11-25T12:00:00.000Z' } }),
    );
    const written = documentMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    documentMock.restore();
    // ...a parked tenant, enabled by hand by support
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
    await syncTenant(h.deps, aJob({ jobId: 'first' }));
    parkForAttention(h, { probes: 1, nextProbeInMs: 2 * HOUR });
    await setTenantStatus(h, 'acme', 'enable', 'support@example.com');
    h.activity.events.length = 0;
    // ...support changes the safeguard; the scheduled sync finishes between its read and its save
    const secrets: SecretStore = Object.create(h.secrets) as SecretStore;
    secrets.get = async (tenantId, options) => {
      h.clock.advance(HOUR);
      await syncTenant(h.deps, aJob({ jobId: 'after-enable', requestedAt: h.clock.now().toISOString() }));
      return h.secrets.get(tenantId, options);
    };

    // Act
    await updateTenant({ ...h, employeeSource: h.deps.employeeSource, secrets, snapshots: h.snapshots, deployment: { publicBaseUrl: async () => 'https://hooks.example.com' } }, 'acme', {
      safeguards: { deactivationThresholdPct: 30 },
      actor: 'support@example.com',
    });
    h.clock.advance(HOUR);
    await syncTenant(h.deps, aJob({ jobId: 'next', requestedAt: h.clock.now().toISOString() }));

    // Assess: DynamoDB's save leaves `attention` alone; so must the fake, and `recovered` goes out once
    expect(Object.values(written.ExpressionAttributeNames ?? {})).not.toContain('attention');
    expect(h.activity.alerts.map((e) => e.type)).toEqual(['recovered']);
    expect(h.tenants.items.get('acme')).toMatchObject({ status: 'active', attention: null, safeguards: { deactivationThresholdPct: 30 } });
  });
});
