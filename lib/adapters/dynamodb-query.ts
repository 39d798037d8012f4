import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * Every item of one tenant's partition in a table, page after page, strongly consistent.
 * `extra` adds a projection, names or a key condition on the sort key.
 */
export async function* queryTenantItems(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  extra: Partial<QueryCommandInput> = {},
): AsyncGenerator<Record<string, unknown>> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'tenantId = :tenantId',
        ExpressionAttributeValues: { ':tenantId': tenantId },
        ConsistentRead: true,
        ExclusiveStartKey,
        ...extra,
      }),
    );
    yield* output.Items ?? [];
    ExclusiveStartKey = output.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
