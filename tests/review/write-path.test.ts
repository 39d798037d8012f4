import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientOf } from '../../lib/adapters/aws-clients.js';
import { DynamoDbChangeFeed } from '../../lib/adapters/dynamodb-change-feed.js';
import type { ChangeRecord } from '../../lib/model/change.js';
import { anEmployee } from '../helpers/builders.js';
import { startEmulators, type Emulators } from '../helpers/emulators.js';

const record = (tenantId: string, seq: number): ChangeRecord => ({
  tenantId,
  seq,
  runId: `run-${seq}`,
  at: '2026-10-01T10:00:00.000Z',
  type: 'created',
  reason: null,
  employeeId: String(seq),
  changes: {},
  employee: anEmployee(String(seq)),
});

describe('review: the change feed reads what earlier versions wrote', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators();
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('lists a committed change written before feed items carried their snapshot entry (only `data`), as the previous version did', async () => {
    // Prepare: two committed items as earlier versions wrote them: seq 1 before the roll-forward
    // repair existed (`data` only), seq 2 by the version under 916bea1 (`data` + `snapshot`)
    const documents = documentClientOf(emulators.dynamodb.client);
    const TableName = emulators.config.tables.changes;
    const base = (r: ChangeRecord) => ({ tenantId: r.tenantId, seq: r.seq, runId: r.runId, type: r.type, employeeId: r.employeeId, at: r.at, expiresAt: 1_900_000_000 });
    const old = record('legacy', 1);
    const v1 = record('legacy', 2);
    await documents.send(new PutCommand({ TableName, Item: { ...base(old), data: JSON.stringify(old) } }));
    await documents.send(
      new PutCommand({
        TableName,
        Item: { ...base(v1), data: JSON.stringify(v1), snapshot: JSON.stringify({ employee: v1.employee, state: 'synced', reason: null, sourceManagerId: null }) },
      }),
    );
    await documents.send(new UpdateCommand({ TableName, Key: { tenantId: 'legacy', seq: 0 }, UpdateExpression: 'SET nextSeq = :n, committedSeq = :c', ExpressionAttributeValues: { ':n': 3, ':c': 2 } }));
    const feed = new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: TableName, ttlDays: 90 });

    // Act: the product reads the feed from the start
    const page = await feed.list('legacy', 0, 100).catch((error: unknown) => error);

    // Assess: both changes, as 916bea1's list answered (it read `data` alone)
    expect(page).toEqual({ changes: [old, v1], nextAfter: 2 });
  });
});
