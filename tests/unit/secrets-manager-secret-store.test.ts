import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerSecretStore } from '../../lib/adapters/secrets-manager-secret-store.js';

const PREFIX = 'bamboohr-sync/test/tenants/';
const API_KEY = 'k3y-0f-acme-5ecret-value';
const secretsMock = mockClient(SecretsManagerClient);

const store = (cacheSeconds = 300) => new SecretsManagerSecretStore({ client: new SecretsManagerClient({ region: 'us-east-1' }), prefix: PREFIX, cacheSeconds });

/** Everything an error shows: message, stack and causes, recursively. */
const everythingIn = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    parts.push(String(current), (current as Error).stack ?? '', JSON.stringify(current));
    current = (current as Error).cause;
  }
  return parts.join('\n');
};

const caught = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

describe('SecretsManagerSecretStore', () => {
  beforeEach(() => {
    secretsMock.reset();
  });

  it('creates a new secret named after the tenant and tagged with it', async () => {
    // Prepare
    secretsMock.on(CreateSecretCommand).resolves({ Name: `${PREFIX}acme` });

    // Act
    await store().put('acme', { apiKey: API_KEY, webhookPrivateKey: null });

    // Assess
    const [call] = secretsMock.commandCalls(CreateSecretCommand);
    expect(call?.args[0].input).toMatchObject({
      Name: `${PREFIX}acme`,
      Tags: [{ Key: 'tenantId', Value: 'acme' }],
    });
    expect(JSON.parse(call?.args[0].input.SecretString as string)).toEqual({ apiKey: API_KEY, webhookPrivateKey: null });
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('puts a new value when the secret exists', async () => {
    // Prepare
    secretsMock.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    secretsMock.on(PutSecretValueCommand).resolves({});

    // Act
    await store().put('acme', { apiKey: API_KEY, webhookPrivateKey: 'whk' });

    // Assess
    const [call] = secretsMock.commandCalls(PutSecretValueCommand);
    expect(call?.args[0].input.SecretId).toBe(`${PREFIX}acme`);
    expect(JSON.parse(call?.args[0].input.SecretString as string)).toEqual({ apiKey: API_KEY, webhookPrivateKey: 'whk' });
  });

  it('returns null for a tenant without a secret', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));

    // Act
    const secret = await store().get('ghost');

    // Assess
    expect(secret).toBeNull();
    expect(secretsMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe(`${PREFIX}ghost`);
  });

  it('serves a second read from its cache, and reads again after a put', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookPrivateKey: null }) })
      .resolves({ SecretString: JSON.stringify({ apiKey: 'new-key', webhookPrivateKey: null }) });
    secretsMock.on(CreateSecretCommand).resolves({});
    const secrets = store();

    // Act
    const first = await secrets.get('acme');
    const second = await secrets.get('acme');
    const callsBeforePut = secretsMock.commandCalls(GetSecretValueCommand).length;
    await secrets.put('acme', { apiKey: 'new-key', webhookPrivateKey: null });
    const third = await secrets.get('acme');

    // Assess
    expect(first).toEqual({ apiKey: API_KEY, webhookPrivateKey: null });
    expect(second).toEqual(first);
    expect(callsBeforePut).toBe(1);
    expect(third).toEqual({ apiKey: 'new-key', webhookPrivateKey: null });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reads through its cache when asked for a fresh value (a key another container replaced)', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookPrivateKey: null }) })
      .resolves({ SecretString: JSON.stringify({ apiKey: 'replaced-elsewhere', webhookPrivateKey: null }) });
    const secrets = store();

    // Act
    await secrets.get('acme');
    const cached = await secrets.get('acme');
    const fresh = await secrets.get('acme', { fresh: true });

    // Assess
    expect(cached?.apiKey).toBe(API_KEY);
    expect(fresh?.apiKey).toBe('replaced-elsewhere');
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('never shows the key in an error about a malformed secret', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: `{"apiKey": "${API_KEY}", oops` });

    // Act
    const error = await caught(store().get('acme'));

    // Assess
    expect(String(error)).toMatch(/not valid JSON/);
    expect(everythingIn(error)).not.toContain(API_KEY);
  });

  it('never shows the key when the secret has the wrong shape', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookPrivateKey: 42 }) });

    // Act
    const error = await caught(store().get('acme'));

    // Assess
    expect(String(error)).toMatch(/webhookPrivateKey/);
    expect(everythingIn(error)).not.toContain(API_KEY);
  });

  it('never shows the key when storing fails', async () => {
    // Prepare
    secretsMock.on(CreateSecretCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:CreateSecret'), { name: 'AccessDeniedException' }));

    // Act
    const error = await caught(store().put('acme', { apiKey: API_KEY, webhookPrivateKey: null }));
    const invalid = await caught(store().put('acme', { apiKey: '', webhookPrivateKey: null }));

    // Assess
    expect(everythingIn(error)).not.toContain(API_KEY);
    expect(String(invalid)).toMatch(/apiKey/);
  });

  it('deletes without recovery and forgets the cached value', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookPrivateKey: null }) })
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    secretsMock.on(DeleteSecretCommand).resolves({});
    const secrets = store();
    await secrets.get('acme');

    // Act
    await secrets.delete('acme');
    const after = await secrets.get('acme');

    // Assess
    expect(secretsMock.commandCalls(DeleteSecretCommand)[0]?.args[0].input).toEqual({ SecretId: `${PREFIX}acme`, ForceDeleteWithoutRecovery: true });
    expect(after).toBeNull();
  });
});
