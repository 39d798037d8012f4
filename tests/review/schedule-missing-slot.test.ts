import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientOf } from '../../lib/adapters/aws-clients.js';
import { DynamoDbScheduleState } from '../../lib/adapters/dynamodb-schedule-state.js';
import { DynamoDbTenantStore } from '../../lib/adapters/dynamodb-tenant-store.js';
import { DEFAULT_SAFEGUARDS } from '../../lib/model/tenant.js';
import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { startEmulators, type Emulators } from '../helpers/emulators.js';
import { FixedClock, InMemoryJobQueue, RecordingActivity, RecordingLog } from '../helpers/in-memory-ports.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Issue 14, guarantee 1: every active tenant is enqueued once per period, never skipped. Slots are
 * given to tenants stored without one only on the scheduler's very first run; a tenant item written
 * without a slotKey after that (by the previous version of the admin API still serving during the
 * deploy, or restored from a backup taken before the upgrade) is invisible to the `bySlot` index.
 */
describe('review 14: a tenant stored without a slot after the scheduler first ran', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators();
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('is still scheduled once per period', async () => {
    // Prepare: the new scheduler has run once already; then a tenant item without slotKey appears
    const tableName = emulators.config.tables.tenants;
    const tenants = new DynamoDbTenantStore({ client: emulators.dynamodb.client, tableName });
    const queue = new InMemoryJobQueue();
    const deps = {
      tenants,
      queue,
      scheduleState: new DynamoDbScheduleState({ client: emulators.dynamodb.client, tableName: emulators.config.tables.markers }),
      activity: new RecordingActivity(new FixedClock(new Date(T0))),
      log: new RecordingLog(),
      settings: { periodMs: HOUR, staleAfterMs: 6 * HOUR },
    };
    await enqueueScheduledSyncs(deps, { scheduledAt: at(T0) });
    await documentClientOf(emulators.dynamodb.client).send(
      new PutCommand({
        TableName: tableName,
        Item: {
          tenantId: 'latecomer',
          subdomain: 'latecomer',
          exclusionField: null,
          exclusionFieldId: null,
          status: 'active',
          statusReason: null,
          safeguards: DEFAULT_SAFEGUARDS,
          webhookEnabled: false,
          createdAt: at(T0),
          updatedAt: at(T0),
          lastRun: null,
          attention: null,
        },
      }),
    );

    // Act: the scheduler every 5 minutes for two whole periods
    for (let t = T0 + 5 * MINUTE; t <= T0 + 2 * HOUR; t += 5 * MINUTE) await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });

    // Assess: scheduled once in each period
    expect(queue.jobs.map((j) => j.jobId)).toEqual(['schedule-20261125T1000-latecomer', 'schedule-20261125T1100-latecomer']);
  });
});
