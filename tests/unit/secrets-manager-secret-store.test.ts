import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerSecretStore } from '../../lib/adapters/secrets-manager-secret-store.js';
import type { OAuthGrant, TenantSecret } from '../../lib/ports.js';
import { everythingIn, rejectionOf } from '../helpers/errors.js';
import { NEW_ACCESS, NEW_REFRESH, OLD_ACCESS, OLD_REFRESH, OTHER_ACCESS, OTHER_REFRESH, WEBHOOK_KEY } from '../helpers/secret-canaries.js';

const PREFIX = 'bamboohr-sync/test/tenants/';
const API_KEY = 'k3y-0f-acme-5ecret-value';
const secretsMock = mockClient(SecretsManagerClient);

const store = (cacheSeconds = 300) => new SecretsManagerSecretStore({ client: new SecretsManagerClient({ region: 'us-east-1' }), prefix: PREFIX, cacheSeconds });

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

  it('lists, page by page, the secrets under its prefix last changed before a time (created, if never changed)', async () => {
    // Prepare
    const day = 86_400_000;
    const now = Date.parse('2026-11-28T12:00:00.000Z');
    const at = (daysAgo: number) => new Date(now - daysAgo * day);
    secretsMock
      .on(ListSecretsCommand)
      .resolvesOnce({ SecretList: [{ Name: `${PREFIX}old`, LastChangedDate: at(40), CreatedDate: at(45) }, { Name: `${PREFIX}new`, LastChangedDate: at(1) }], NextToken: 'page-2' })
      .resolvesOnce({ SecretList: [{ Name: `${PREFIX}never-changed`, CreatedDate: at(35) }, { Name: 'bamboohr-sync/test/tenants-other/x', CreatedDate: at(90) }, { Name: `${PREFIX}no-dates` }] });

    // Act
    const listed = await store().listChangedBefore(at(31));

    // Assess
    expect(listed).toEqual(['old', 'never-changed']);
    const calls = secretsMock.commandCalls(ListSecretsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Filters: [{ Key: 'name', Values: [PREFIX] }], MaxResults: 100, NextToken: undefined },
      { Filters: [{ Key: 'name', Values: [PREFIX] }], MaxResults: 100, NextToken: 'page-2' },
    ]);
  });

  it("keeps a connect link's incomplete credential under the connect prefix, tagged with the link (not a tenant)", async () => {
    // Prepare
    secretsMock.on(CreateSecretCommand).resolves({});
    const connecting = new SecretsManagerSecretStore({ client: new SecretsManagerClient({ region: 'us-east-1' }), prefix: 'bamboohr-sync/test/connect/', cacheSeconds: 0, kind: 'connecting' });
    const key = 'a'.repeat(40);

    // Act
    await connecting.put(key, { apiKey: API_KEY, webhookPrivateKey: null });

    // Assess
    const [call] = secretsMock.commandCalls(CreateSecretCommand);
    expect(call?.args[0].input).toMatchObject({ Name: `bamboohr-sync/test/connect/${key}`, Tags: [{ Key: 'connectLink', Value: key }] });
    expect(call?.args[0].input.Description).not.toContain('tenant');
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
    const error = await rejectionOf(store().get('acme'));

    // Assess
    expect(String(error)).toMatch(/not valid JSON/);
    expect(everythingIn(error)).not.toContain(API_KEY);
  });

  it('never shows the key when the secret has the wrong shape', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, webhookPrivateKey: 42 }) });

    // Act
    const error = await rejectionOf(store().get('acme'));

    // Assess
    expect(String(error)).toMatch(/webhookPrivateKey/);
    expect(everythingIn(error)).not.toContain(API_KEY);
  });

  it('never shows the key when storing fails', async () => {
    // Prepare
    secretsMock.on(CreateSecretCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:CreateSecret'), { name: 'AccessDeniedException' }));

    // Act
    const error = await rejectionOf(store().put('acme', { apiKey: API_KEY, webhookPrivateKey: null }));
    const invalid = await rejectionOf(store().put('acme', { apiKey: '', webhookPrivateKey: null }));

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

describe('SecretsManagerSecretStore: versioned compare-and-set', () => {
  const VALUES = [OLD_ACCESS, OLD_REFRESH, NEW_ACCESS, NEW_REFRESH, OTHER_ACCESS, OTHER_REFRESH, WEBHOOK_KEY, API_KEY];

  const grant = (accessToken: string, refreshToken: string): OAuthGrant => ({ accessToken, refreshToken, expiresAt: '2026-11-25T11:00:00.000Z', scopes: ['employee:read'] });
  const oauthSecret = (accessToken: string, refreshToken: string): TenantSecret => ({ apiKey: null, oauth: grant(accessToken, refreshToken), webhookPrivateKey: WEBHOOK_KEY });
  const OLD = oauthSecret(OLD_ACCESS, OLD_REFRESH);
  const NEW = oauthSecret(NEW_ACCESS, NEW_REFRESH);
  const OTHER = oauthSecret(OTHER_ACCESS, OTHER_REFRESH);
  const stored = (secret: TenantSecret, replaces?: string) =>
    JSON.stringify({ oauth: secret.oauth, webhookPrivateKey: secret.webhookPrivateKey, ...(replaces ? { replaces } : {}) });

  /** One secret's versions and their staging labels, kept as Secrets Manager keeps them. */
  let versions: Array<{ id: string; value: string; stages: Set<string> }>;
  const holderOf = (stage: string) => versions.find((v) => v.stages.has(stage));
  const label = (stage: string, id: string) => {
    const holder = holderOf(stage);
    holder?.stages.delete(stage);
    versions.find((v) => v.id === id)?.stages.add(stage);
    if (stage === 'AWSCURRENT' && holder && holder.id !== id) {
      holderOf('AWSPREVIOUS')?.stages.delete('AWSPREVIOUS');
      holder.stages.add('AWSPREVIOUS');
    }
  };
  const seed = (id: string, value: string, stages: string[]) => {
    versions.push({ id, value, stages: new Set() });
    for (const stage of stages) label(stage, id);
  };
  /** Another writer replacing the secret (a reconnect, another worker): a new current version. */
  const someoneElseSaves = (id: string, value: string) => seed(id, value, ['AWSCURRENT']);

  /** The stage move Secrets Manager does: refused when the label is on another version than RemoveFromVersionId. */
  const moveStage = (input: { VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) => {
    const stage = input.VersionStage as string;
    const holder = holderOf(stage);
    if (holder && holder.id !== input.RemoveFromVersionId) {
      throw new InvalidParameterException({ message: `The parameter RemoveFromVersionId doesn't match the version that has the staging label ${stage}.`, $metadata: {} });
    }
    label(stage, input.MoveToVersionId as string);
    return {};
  };

  const sentInOrder = () =>
    secretsMock
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
      .filter((name) => name !== 'GetSecretValueCommand');

  beforeEach(() => {
    secretsMock.reset();
    versions = [];
    secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId?: string; VersionStage?: string }) => {
      const stage = input.VersionStage ?? 'AWSCURRENT';
      const version = holderOf(stage);
      if (!version) throw new ResourceNotFoundException({ message: `Secrets Manager can't find the specified secret value for staging label: ${stage}`, $metadata: {} });
      return { Name: input.SecretId, VersionId: version.id, SecretString: version.value, VersionStages: [...version.stages] };
    });
    secretsMock.on(PutSecretValueCommand).callsFake((input: { ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) => {
      const id = input.ClientRequestToken ?? `auto-${versions.length + 1}`;
      seed(id, input.SecretString as string, input.VersionStages ?? ['AWSCURRENT']);
      return { VersionId: id, VersionStages: [...(input.VersionStages ?? ['AWSCURRENT'])] };
    });
    secretsMock.on(UpdateSecretVersionStageCommand).callsFake(moveStage);
    seed('v1', stored(OLD), ['AWSCURRENT']);
  });

  it('stores the new value as a version staged AWSPENDING naming the version read, then moves AWSCURRENT to it from that version', async () => {
    // Prepare
    const secrets = store();
    const read = await secrets.getVersioned('acme');

    // Act
    const saved = await secrets.replaceIfCurrent('acme', NEW, read!.version);

    // Assess
    expect(read).toEqual({ secret: OLD, version: 'v1', pending: null });
    expect(saved).toBe(true);
    expect(sentInOrder()).toEqual(['PutSecretValueCommand', 'UpdateSecretVersionStageCommand']);
    const put = secretsMock.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ SecretId: `${PREFIX}acme`, VersionStages: ['AWSPENDING'] });
    expect(put.ClientRequestToken).toEqual(expect.any(String));
    expect(put.ClientRequestToken).not.toBe('v1');
    expect(JSON.parse(put.SecretString as string)).toEqual({ oauth: NEW.oauth, webhookPrivateKey: WEBHOOK_KEY, replaces: 'v1' });
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toEqual({
      SecretId: `${PREFIX}acme`,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: put.ClientRequestToken,
      RemoveFromVersionId: 'v1',
    });
    // Read back: the new value is current, and the AWSPENDING label left on it is not taken for a pending save.
    expect(await secrets.getVersioned('acme')).toEqual({ secret: NEW, version: put.ClientRequestToken, pending: null });
  });

  it('reports a conflict, and overwrites nothing, when the version read is no longer current', async () => {
    // Prepare: read at v1, then someone else saves v2
    const secrets = store();
    const read = await secrets.getVersioned('acme');
    someoneElseSaves('v2', stored(OTHER));

    // Act
    const saved = await secrets.replaceIfCurrent('acme', NEW, read!.version);

    // Assess
    expect(saved).toBe(false);
    expect(holderOf('AWSCURRENT')?.id).toBe('v2');
    for (const call of secretsMock.commandCalls(PutSecretValueCommand)) expect(call.args[0].input.VersionStages).toEqual(['AWSPENDING']);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input.RemoveFromVersionId)).toEqual(['v1']);
    // The value that lost stays pending for v1, which is not current: nobody takes it for a crashed save.
    expect(await secrets.getVersioned('acme')).toEqual({ secret: OTHER, version: 'v2', pending: null });
  });

  it('says it saved when the stage move was refused only because AWSCURRENT is on its version already (a retried request)', async () => {
    // Prepare: the first request moved the label but its answer was lost; the SDK's retry is refused
    secretsMock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
      moveStage(input);
      return moveStage(input);
    });
    const secrets = store();

    // Act
    const saved = await secrets.replaceIfCurrent('acme', NEW, 'v1');

    // Assess
    expect(saved).toBe(true);
    expect((await secrets.getVersioned('acme'))?.secret).toEqual(NEW);
  });

  it('leaves a save cut off between storing and the stage move recoverable: the pending version is found, and made current', async () => {
    // Prepare: the worker dies (here: a failed request) after PutSecretValue, before the stage move
    secretsMock.on(UpdateSecretVersionStageCommand).rejectsOnce(Object.assign(new Error('Task timed out after 30.00 seconds'), { name: 'TimeoutError' })).callsFake(moveStage);
    const crash = await rejectionOf(store().replaceIfCurrent('acme', NEW, 'v1'));
    const pendingId = secretsMock.commandCalls(PutSecretValueCommand)[0]!.args[0].input.ClientRequestToken;
    const nextWorker = store();

    // Act
    const read = await nextWorker.getVersioned('acme');
    const promoted = await nextWorker.replaceIfCurrent('acme', read!.pending!.secret, read!.version);

    // Assess
    expect(String(crash)).toMatch(/timed out/);
    expect(everythingIn(crash)).not.toContain(NEW_REFRESH);
    expect(read).toEqual({ secret: OLD, version: 'v1', pending: { secret: NEW, version: pendingId } });
    expect(promoted).toBe(true);
    expect(await nextWorker.getVersioned('acme')).toMatchObject({ secret: NEW, pending: null });
  });

  it('does not take a pending version for a crashed save when it replaces another version, or cannot be read as a secret', async () => {
    // Prepare
    seed('p-old', stored(NEW, 'v0'), ['AWSPENDING']);
    const secrets = store();

    // Act
    const replacingAnother = await secrets.getVersioned('acme');
    holderOf('AWSPENDING')!.value = JSON.stringify({ replaces: 'v1' });
    const unreadable = await secrets.getVersioned('acme');

    // Assess
    expect(replacingAnother?.pending).toBeNull();
    expect(unreadable).toEqual({ secret: OLD, version: 'v1', pending: null });
  });

  it('fetches again on the next cached read after a compare-and-set, even with a versioned read in between', async () => {
    // Prepare: the container has the old value cached
    const secrets = store();
    await secrets.get('acme');
    await secrets.replaceIfCurrent('acme', NEW, 'v1');
    await secrets.getVersioned('acme');

    // Act
    const read = await secrets.get('acme');

    // Assess
    expect(read).toEqual(NEW);
  });

  it('never shows a token, key or webhook key in its errors', async () => {
    // Prepare
    const secrets = store();
    const bothCredentials = rejectionOf(secrets.replaceIfCurrent('acme', { ...NEW, apiKey: API_KEY }, 'v1'));
    const refusedPut = async () => {
      secretsMock.on(PutSecretValueCommand).rejectsOnce(Object.assign(new Error('User is not authorized to perform: secretsmanager:PutSecretValue'), { name: 'AccessDeniedException' }));
      return rejectionOf(secrets.replaceIfCurrent('acme', NEW, 'v1'));
    };
    const notJson = async () => {
      someoneElseSaves('v-bad-json', `{"oauth": {"accessToken": "${OTHER_ACCESS}", "refreshToken": "${OTHER_REFRESH}"`);
      return rejectionOf(secrets.getVersioned('acme'));
    };
    const wrongShape = async () => {
      someoneElseSaves('v-bad-shape', JSON.stringify({ oauth: { accessToken: OTHER_ACCESS, refreshToken: OTHER_REFRESH }, apiKey: API_KEY, webhookPrivateKey: WEBHOOK_KEY }));
      return rejectionOf(secrets.getVersioned('acme'));
    };

    // Act
    const errors = [await bothCredentials, await refusedPut(), await notJson(), await wrongShape()];

    // Assess
    expect(String(errors[0])).toMatch(/needs an API key or an OAuth grant/);
    expect(String(errors[2])).toMatch(/not valid JSON/);
    expect(String(errors[3])).toMatch(/not a tenant secret/);
    for (const error of errors) {
      const shown = everythingIn(error);
      for (const value of VALUES) expect(shown).not.toContain(value);
    }
  });
});
