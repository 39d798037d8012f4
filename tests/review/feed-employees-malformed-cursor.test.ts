import { DynamoDbChangeFeed } from '../../lib/adapters/dynamodb-change-feed.js';
import { DynamoDbSnapshotStore } from '../../lib/adapters/dynamodb-snapshot-store.js';
import { FEED_ROUTES, routeRequest } from '../../lib/admin-routes.js';
import { aSyncedEntry, aTenant, anEmployee } from '../helpers/builders.js';
import { startEmulators, type Emulators } from '../helpers/emulators.js';
import { InMemoryTenantStore, RecordingLog } from '../helpers/in-memory-ports.js';

/**
 * The employees listing's cursor is decoded by decodeCursor, which accepts any string *or number*
 * as the employee id and passes it to DynamoDB as ExclusiveStartKey. A cursor that decodes to a
 * number or to an empty string is refused by DynamoDB itself
 * (ValidationException), which the API turns into a 500 "Something went wrong on our side", logged
 * as an unexpected error: not the 400 naming `cursor` that every other bad cursor gets.
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('review: malformed employees-listing cursors against DynamoDB', () => {
  let emulators: Emulators;
  beforeAll(async () => {
    emulators = await startEmulators();
  }, 120_000);
  afterAll(async () => {
    await emulators?.stop();
  });

  it.each([
    ['a numeric employee id (store cursor)', b64({ employeeId: 5 })],
    ['an empty employee id (store cursor)', b64({ employeeId: '' })],
    ['a numeric employee id inside a listing cursor', b64({ c: b64({ employeeId: 5 }), s: 1 })],
  ])('%s gets a 400 naming the cursor, not a 500', async (_name, cursor) => {
    // Prepare
    const snapshots = new DynamoDbSnapshotStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.employees });
    const feed = new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: emulators.config.tables.changes, ttlDays: 90 });
    await snapshots.put('acme', ['1', '2', '3'].map((id) => aSyncedEntry(anEmployee(id))));
    const tenants = new InMemoryTenantStore();
    await tenants.create(aTenant());
    const log = new RecordingLog();
    const deps = { tenants, snapshots, feed, log } as unknown as Parameters<typeof routeRequest>[1];

    // Act
    const response = await routeRequest(FEED_ROUTES, deps, {
      routeKey: 'GET /tenants/{tenantId}/employees',
      headers: {},
      pathParameters: { tenantId: 'acme' },
      queryStringParameters: { cursor, limit: '2' },
      isBase64Encoded: false,
    }, undefined);

    // Assess
    const body = JSON.parse(response.body) as { error?: { code: string; message: string } };
    expect({ status: response.statusCode, code: body.error?.code }).toEqual({ status: 400, code: 'invalid-input' });
    expect(body.error?.message).toMatch(/cursor/);
  }, 60_000);
});
