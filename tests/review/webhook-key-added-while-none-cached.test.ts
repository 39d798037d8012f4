import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, anHttpEvent, useUnitLambdaEnvironment } from '../helpers/lambda.js';

/**
 * Review of the webhook route: the uncached re-read of a tenant's secret ("the cached key may be one
 * support has just rotated") is skipped when the cached secret has no webhook key at all. The README's
 * own flow: the customer creates the webhook in BambooHR's UI pointing at the URL, BambooHR starts
 * calling it (refused: no key yet, and the warm webhook Lambda now caches "no key" for
 * SECRET_CACHE_SECONDS = 300 s), then support pastes its private key (`tenant update
 * --webhook-key-stdin`). For the next five minutes every correctly signed delivery gets 401, which
 * BambooHR never retries: those changes wait for the hourly sync.
 */
const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

describe('webhook Lambda, a webhook key added to a tenant whose "no key" is still cached', () => {
  let webhook: Handler;

  beforeAll(async () => {
    useUnitLambdaEnvironment();
    webhook = (await import('../../functions/webhook.js')).handler as unknown as Handler;
  });

  it('accepts the first correctly signed delivery once support has stored the key', async () => {
    // Prepare: the tenant has no webhook key yet; BambooHR's first call (the UI webhook) is refused and caches that
    ddb.on(GetCommand).resolves({ Item: aTenant({ tenantId: 'acme', webhookEnabled: false }) });
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [] });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: FAKE_API_KEY, webhookPrivateKey: null }) });
    const body = readFileSync(new URL('../../events/webhook-event-based.json', import.meta.url), 'utf8');
    const request = (key: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      return anHttpEvent('POST /webhooks/bamboohr/{tenantId}', {
        params: { tenantId: 'acme' },
        body,
        headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, key), 'x-bamboohr-timestamp': timestamp },
      });
    };
    const beforeTheKey = await webhook(request('ui-webhook-key'), aLambdaContext('webhook'));
    // Support pastes the UI webhook's private key (tenant update --webhook-key-stdin): Secrets Manager now holds it
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: aTenant({ tenantId: 'acme', webhookEnabled: true }) });
    ddb.on(PutCommand).resolves({});
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: FAKE_API_KEY, webhookPrivateKey: 'ui-webhook-key' }) });

    // Act: BambooHR's next delivery, signed with that key, reaches the same warm Lambda
    const afterTheKey = await webhook(request('ui-webhook-key'), aLambdaContext('webhook'));

    // Assess
    expect(beforeTheKey.statusCode).toBe(401);
    expect(afterTheKey.statusCode).toBe(202);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
