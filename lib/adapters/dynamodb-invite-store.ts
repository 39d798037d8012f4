import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Invite, InviteStore, OAuthState } from '../ports.js';
import { documentClientOf } from './aws-clients.js';

const inviteSchema = z.object({
  tenantId: z.string(),
  mode: z.enum(['register', 'reconnect']),
  exclusionField: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  connectingUntil: z.string().nullable().default(null),
  pending: z.object({ subdomain: z.string(), via: z.enum(['oauth', 'api-key']) }).nullable(),
});

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';
const epoch = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

/**
 * Connect links and OAuth states in the markers table: `invite#<hash of the token>` and
 * `oauth-state#<hash>`, each with `expiresAt` (the table's TTL) so that DynamoDB removes them. Only
 * hashes are stored: a token or a state read from the table opens nothing.
 */
export class DynamoDbInviteStore implements InviteStore {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBClient | DynamoDBDocumentClient; tableName: string }) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
  }

  async create(hash: string, invite: Invite): Promise<void> {
    await this.documentClient.send(
      new PutCommand({
        TableName: this.tableName,
        // A week after it expires, so that an expired link still says "expired" for a while.
        Item: { key: `invite#${hash}`, expiresAt: epoch(invite.expiresAt) + 7 * 86_400, invite: inviteSchema.parse(invite) },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': 'key' },
      }),
    );
  }

  async get(hash: string): Promise<Invite | null> {
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: { key: `invite#${hash}` }, ConsistentRead: true }));
    const parsed = inviteSchema.safeParse(Item?.invite);
    return parsed.success ? parsed.data : null;
  }

  async setPending(hash: string, pending: Invite['pending']): Promise<void> {
    await this.documentClient.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { key: `invite#${hash}` },
        UpdateExpression: 'SET #invite.#pending = :pending',
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#key': 'key', '#invite': 'invite', '#pending': 'pending' },
        ExpressionAttributeValues: { ':pending': pending },
      }),
    );
  }

  async claim(hash: string, at: string, until: string): Promise<'claimed' | 'used' | 'busy'> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: `invite#${hash}` },
          UpdateExpression: 'SET #invite.#connectingUntil = :until',
          ConditionExpression:
            'attribute_exists(#key) AND #invite.#usedAt = :null AND (attribute_not_exists(#invite.#connectingUntil) OR #invite.#connectingUntil = :null OR #invite.#connectingUntil < :at)',
          ExpressionAttributeNames: { '#key': 'key', '#invite': 'invite', '#usedAt': 'usedAt', '#connectingUntil': 'connectingUntil' },
          ExpressionAttributeValues: { ':until': until, ':at': at, ':null': null },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const invite = await this.get(hash);
      return !invite || invite.usedAt !== null ? 'used' : 'busy';
    }
  }

  async spend(hash: string, at: string): Promise<boolean> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: `invite#${hash}` },
          UpdateExpression: 'SET #invite.#usedAt = :at, #invite.#connectingUntil = :null',
          ConditionExpression: 'attribute_exists(#key) AND #invite.#usedAt = :null',
          ExpressionAttributeNames: { '#key': 'key', '#invite': 'invite', '#usedAt': 'usedAt', '#connectingUntil': 'connectingUntil' },
          ExpressionAttributeValues: { ':at': at, ':null': null },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(hash: string, until: string): Promise<void> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: `invite#${hash}` },
          UpdateExpression: 'SET #invite.#connectingUntil = :null',
          ConditionExpression: 'attribute_exists(#key) AND #invite.#connectingUntil = :until',
          ExpressionAttributeNames: { '#key': 'key', '#invite': 'invite', '#connectingUntil': 'connectingUntil' },
          ExpressionAttributeValues: { ':until': until, ':null': null },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async putState(hash: string, state: OAuthState): Promise<void> {
    await this.documentClient.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { key: `oauth-state#${hash}`, expiresAt: epoch(state.expiresAt), inviteHash: state.inviteHash, subdomain: state.subdomain, validUntil: state.expiresAt },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': 'key' },
      }),
    );
  }

  async takeState(hash: string, inviteHash: string): Promise<OAuthState | null> {
    try {
      const { Attributes } = await this.documentClient.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { key: `oauth-state#${hash}` },
          ConditionExpression: 'attribute_exists(#key) AND #inviteHash = :inviteHash',
          ExpressionAttributeNames: { '#key': 'key', '#inviteHash': 'inviteHash' },
          ExpressionAttributeValues: { ':inviteHash': inviteHash },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!Attributes) return null;
      return { inviteHash: String(Attributes.inviteHash), subdomain: String(Attributes.subdomain), expiresAt: String(Attributes.validUntil) };
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }
}
