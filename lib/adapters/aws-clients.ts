import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  /** The same DynamoDB client with lib-dynamodb's marshalling (undefined values dropped). */
  documentClient: DynamoDBDocumentClient;
  sqs: SQSClient;
  secretsManager: SecretsManagerClient;
  sns: SNSClient;
}

/** Placeholder credentials for local emulators, which accept any. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const hasAwsCredentials = (env: Record<string, string | undefined>): boolean =>
  Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);

/** The options every document client of the service uses. */
export const DOCUMENT_CLIENT_OPTIONS = { marshallOptions: { removeUndefinedValues: true } } as const;

/** A document client over a DynamoDB client, with the service's marshalling options. */
export const documentClientOf = (client: DynamoDBClient | DynamoDBDocumentClient): DynamoDBDocumentClient =>
  client instanceof DynamoDBDocumentClient ? client : DynamoDBDocumentClient.from(client, DOCUMENT_CLIENT_OPTIONS);

/**
 * The AWS clients, created once per Lambda container (call it outside the handler). Honours
 * `config.endpoints` (DynamoDB Local, local SQS) and the region; with an endpoint set and no AWS
 * credentials in the environment, it uses placeholder credentials so that the local stack needs none.
 */
export const createAwsClients = (config: Pick<Config, 'region' | 'endpoints'>, env: Record<string, string | undefined> = process.env): AwsClients => {
  const local = (endpoint: string | undefined) =>
    endpoint ? { endpoint, ...(hasAwsCredentials(env) ? {} : { credentials: EMULATOR_CREDENTIALS }) } : {};
  const dynamodb = new DynamoDBClient({ region: config.region, ...local(config.endpoints.dynamodb) });
  return {
    dynamodb,
    documentClient: documentClientOf(dynamodb),
    sqs: new SQSClient({ region: config.region, ...local(config.endpoints.sqs) }),
    secretsManager: new SecretsManagerClient({ region: config.region }),
    sns: new SNSClient({ region: config.region }),
  };
};
