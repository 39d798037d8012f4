import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientOf } from '../../lib/adapters/aws-clients.js';
import { DynamoDbScheduleState } from '../../lib/adapters/dynamodb-schedule-state.js';
import { DynamoDbTenantStore } from '../../lib/adapters/dynamodb-tenant-store.js';
import { DEFAULT_SAFEGUARDS } from '../../lib/model/tenant.js';
import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { startEmulators, type Emulators } from '../helpers/emulators.js';
import { FixedClock, InMemoryJobQueue, RecordingActivity, RecordingLog } from '../helpers/in-memory-ports.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Issue 14, guarantee 2: `stale` means "an active tenant has had no successful sync for
 * STALE_AFTER_HOURS" (README, Alerts). Tenants stored before issue 14 have no `lastSuccessAt` (nor a
 * slot): their last successful run is in `lastRun`. Deploying the new scheduler must not alert every
 * one of them as stale.
 */
describe('review 14: tenants stored before issue 14 after the upgrade', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators();
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('does not alert `stale` for a tenant registered long ago whose last run (stored before lastSuccessAt existed) succeeded minutes ago', async () => {
    // Prepare: a tenant item as the code before issue 14 wrote it: registered a month ago, synced
    // successfully 20 minutes ago by the old hourly scheduler; no lastSuccessAt, staleSince or slotKey
    const tableName = emulators.config.tables.tenants;
    await documentClientOf(emulators.dynamodb.client).send(
      new PutCommand({
        TableName: tableName,
        Item: {
          tenantId: 'legacy',
          subdomain: 'legacy',
          exclusionField: null,
          exclusionFieldId: null,
          status: 'active',
          statusReason: null,
          safeguards: DEFAULT_SAFEGUARDS,
          webhookEnabled: false,
          createdAt: at(T0 - 30 * 24 * HOUR),
          updatedAt: at(T0 - 30 * 24 * HOUR),
          attention: null,
          lastRun: {
            runId: '20261125094000000-schedule-20261125T0940-legacy',
            kind: 'full',
            status: 'succeeded',
            startedAt: at(T0 - 20 * 60_000),
            finishedAt: at(T0 - 20 * 60_000 + 3000),
            counts: { created: 0, updated: 1, deactivated: 0, reactivated: 0 },
            warnings: 0,
            error: null,
            employeesSynced: 25,
          },
        },
      }),
    );
    const tenants = new DynamoDbTenantStore({ client: emulators.dynamodb.client, tableName });
    const queue = new InMemoryJobQueue();
    const activity = new RecordingActivity(new FixedClock(new Date(T0)));
    const deps = {
      tenants,
      queue,
      scheduleState: new DynamoDbScheduleState({ client: emulators.dynamodb.client, tableName: emulators.config.tables.markers }),
      activity,
      log: new RecordingLog(),
      settings: { periodMs: HOUR, staleAfterMs: 6 * HOUR },
    };

    // Act: the new scheduler's first invocation after the deploy, then one a minute for an hour
    for (let t = T0; t <= T0 + HOUR; t += 60_000) await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });

    // Assess: scheduled once in the period, and not reported stale (it synced 20 minutes before)
    expect(queue.jobs.map((j) => j.tenantId)).toEqual(['legacy']);
    expect(activity.events.filter((e) => e.type === 'stale')).toEqual([]);
    expect((await tenants.get('legacy'))?.staleSince).toBeNull();
  });
});
