import { TokenRefusedError } from '../../lib/bamboohr/oauth-client.js';
import { OAUTH_SCOPES } from '../../lib/config.js';
import { BambooHrAuthError, BambooHrUnavailableError, OAuthNotConfiguredError, ValidationError } from '../../lib/errors.js';
import type { Tenant } from '../../lib/model/tenant.js';
import type { Clock, OAuthClient, OAuthTokens, TenantSecret } from '../../lib/ports.js';
import {
  checkAgain,
  CLAIM_MS,
  ConnectionInProgressError,
  connectWithKey,
  ConsentDeniedError,
  createInvite,
  finishOAuth,
  InviteInvalidError,
  OAuthStateInvalidError,
  OfflineAccessMissingError,
  openInvite,
  startOAuth,
  type ConnectDeps,
} from '../../lib/use-cases/connect-tenant.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { aRawRow, aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import {
  FixedClock,
  InMemoryChangeFeed,
  InMemoryInviteStore,
  InMemoryJobQueue,
  InMemoryMarkerStore,
  InMemoryRunStore,
  InMemorySecretStore,
  InMemorySnapshotStore,
  InMemoryTenantStore,
  RecordingActivity,
} from '../helpers/in-memory-ports.js';
import { rejectionOf } from '../helpers/errors.js';

const PUBLIC_BASE_URL = 'https://connect.example.com';
const CLIENT_ID = 'bamboohr-sync-app';
/** The OAuth app's client secret: the fake token endpoint holds it, nothing else may ever show it. */
const CLIENT_SECRET = 'client-secret-3b1f7c9e2d4a6b8c0e1f2a3b4c5d6e7f';
const OTHER_KEY = 'other-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';
const HOUR = 3_600_000;

/**
 * BambooHR's token endpoint: hands out distinctive tokens (so that a leak is visible), with the
 * scopes it is told to grant, and remembers when each access token expires.
 */
class FakeOAuthClient implements OAuthClient {
  readonly exchanged: { subdomain: string; code: string; redirectUri: string }[] = [];
  readonly refreshed: { subdomain: string; refreshToken: string }[] = [];
  /** What BambooHR says it granted (null: it does not say). */
  scopes: string[] | null = [...OAUTH_SCOPES];
  /** Refuse the code (`invalid_grant`, `access_denied`...). */
  refuse = false;
  readonly issued = new Map<string, number>();
  /** Every access and refresh token handed out, to check that none shows up where it must not. */
  readonly handedOut: string[] = [];
  private n = 0;
  /** The adapter's client credentials (the real one posts them to the token endpoint). */
  readonly clientSecret = CLIENT_SECRET;
  constructor(private readonly clock: Clock) {}
  private tokens(): OAuthTokens {
    this.n += 1;
    const accessToken = `access-token-${this.n}-a9b8c7d6e5f4a3b2c1d0`;
    const expiresAt = this.clock.now().getTime() + HOUR;
    const refreshToken = `refresh-token-${this.n}-0f1e2d3c4b5a6978`;
    this.issued.set(accessToken, expiresAt);
    this.handedOut.push(accessToken, refreshToken);
    return { accessToken, refreshToken, expiresAt: new Date(expiresAt).toISOString(), scopes: this.scopes ? [...this.scopes] : null };
  }
  async exchangeCode(input: { subdomain: string; code: string; redirectUri: string }) {
    this.exchanged.push(input);
    if (this.refuse) throw new TokenRefusedError('invalid_grant');
    return this.tokens();
  }
  async refresh(input: { subdomain: string; refreshToken: string }) {
    this.refreshed.push(input);
    if (this.refuse) throw new TokenRefusedError('invalid_grant');
    return this.tokens();
  }
  /** An access token BambooHR no longer accepts (it expired). */
  expired(accessToken: string): boolean {
    const until = this.issued.get(accessToken);
    return until !== undefined && until <= this.clock.now().getTime();
  }
}

const setup = async (options: { tenant?: Tenant; secret?: TenantSecret } = {}) => {
  const clock = new FixedClock();
  const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  const connecting = new InMemorySecretStore();
  const snapshots = new InMemorySnapshotStore();
  const invites = new InMemoryInviteStore();
  const activity = new RecordingActivity(clock);
  const oauth = new FakeOAuthClient(clock);
  /** What each connection to BambooHR was made with. */
  const connections: { subdomain: string; apiKey?: string; accessToken?: string }[] = [];
  if (options.tenant) await tenants.create(options.tenant);
  if (options.secret && options.tenant) await secrets.put(options.tenant.tenantId, options.secret);
  const deps: ConnectDeps = {
    tenants,
    secrets,
    connecting,
    snapshots,
    feed: new InMemoryChangeFeed(),
    runs: new InMemoryRunStore(),
    clock,
    // BambooHR refuses an access token once it has expired.
    employeeSource: (input) => {
      connections.push({ subdomain: input.subdomain, ...(input.apiKey !== undefined ? { apiKey: input.apiKey } : { accessToken: input.accessToken }) });
      if (input.accessToken !== undefined && oauth.expired(input.accessToken)) {
        const refused = new FakeEmployeeSource();
        refused.failWith = new BambooHrAuthError(input.subdomain, 401, input.tenantId);
        return refused;
      }
      return source;
    },
    deployment: { publicBaseUrl: async () => PUBLIC_BASE_URL },
    activity,
    invites,
    oauth,
    markers: new InMemoryMarkerStore(clock),
    oauthApp: async () => ({ clientId: CLIENT_ID }),
    companyUrl: 'https://{subdomain}.bamboohr.com',
    oauthScopes: OAUTH_SCOPES,
    inviteTtlHours: 168,
  };
  return { deps, clock, source, tenants, secrets, connecting, invites, activity, oauth, connections };
};

const tokenOf = (url: string): string => url.slice(`${PUBLIC_BASE_URL}/connect/`.length);

/** A register link for 'acme', with the exclusion checkbox the fake BambooHR has. */
const registerLink = async (deps: ConnectDeps, input: Parameters<typeof createInvite>[2] = { exclusionField: 'Skip Elevo Sync', actor: 'support@example.com' }) =>
  tokenOf((await createInvite(deps, 'acme', input)).url);

/** The consent round trip up to BambooHR: the state it will send back. */
const stateOf = async (deps: ConnectDeps, token: string, subdomain = 'acme'): Promise<string> => {
  const { redirectTo } = await startOAuth(deps, token, subdomain);
  return new URL(redirectTo).searchParams.get('state')!;
};

/** Everything the service keeps or tells: tenant items, invites and states, activity, and some error messages. */
const everythingKept = (s: Awaited<ReturnType<typeof setup>>, errors: Error[] = []): string =>
  JSON.stringify({
    tenants: [...s.tenants.items.values()],
    invites: [...s.invites.invites.entries()],
    states: [...s.invites.states.entries()],
    activity: s.activity.events,
    errors: errors.map((e) => e.message),
  });

describe('createInvite', () => {
  it('makes a 43-character base64url token and stores the invite under its hash only', async () => {
    // Prepare
    const s = await setup();

    // Act
    const made = await createInvite(s.deps, 'acme', { exclusionField: 'Skip Elevo Sync', actor: 'support@example.com' });
    const other = await createInvite(s.deps, 'acme');

    // Assess
    const token = tokenOf(made.url);
    expect(made.url.startsWith(`${PUBLIC_BASE_URL}/connect/`)).toBe(true);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenOf(other.url)).not.toBe(token);
    expect(made).toMatchObject({ mode: 'register', expiresAt: new Date(s.clock.now().getTime() + 168 * HOUR).toISOString() });
    const keys = [...s.invites.invites.keys()];
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(everythingKept(s)).not.toContain(token);
    expect((await openInvite(s.deps, token)).invite).toEqual({
      tenantId: 'acme',
      mode: 'register',
      exclusionField: 'Skip Elevo Sync',
      createdBy: 'support@example.com',
      createdAt: s.clock.now().toISOString(),
      expiresAt: made.expiresAt,
      usedAt: null,
      pending: null,
    });
  });

  it('records an invited activity in both modes; a reconnect keeps the tenant its exclusion field', async () => {
    // Prepare
    const s = await setup({ tenant: aTenant({ tenantId: 'globex', subdomain: 'globex', exclusionField: 'skip_elevo_sync', exclusionFieldId: '4501' }) });

    // Act
    const register = await createInvite(s.deps, 'acme', { exclusionField: true, actor: 'support@example.com' });
    const reconnect = await createInvite(s.deps, 'globex', { exclusionField: 'something else', actor: 'support@example.com' });

    // Assess
    expect(register.mode).toBe('register');
    expect(reconnect.mode).toBe('reconnect');
    expect(s.activity.events.map((e) => [e.tenantId, e.type, e.actor, e.details?.invite])).toEqual([
      ['acme', 'invited', 'support@example.com', 'register'],
      ['globex', 'invited', 'support@example.com', 'reconnect'],
    ]);
    expect((await openInvite(s.deps, tokenOf(reconnect.url))).invite.exclusionField).toBe('skip_elevo_sync');
    expect((await openInvite(s.deps, tokenOf(register.url))).invite.exclusionField).toBe('skip_elevo_sync');
  });

  it.each([
    ['a tenant id that is not one', 'Acme Corp', {}],
    ['a lifetime under 5 minutes', 'acme', { expiresInHours: 1 / 60 }],
    ['a lifetime over 30 days', 'acme', { expiresInHours: 24 * 31 }],
    ['an exclusion field name that is not one', 'acme', { exclusionField: "x' OR 1=1" }],
  ])('refuses %s and stores nothing', async (_case, tenantId, input) => {
    // Prepare
    const s = await setup();

    // Act
    const act = createInvite(s.deps, tenantId, input);

    // Assess
    await expect(act).rejects.toThrow(ValidationError);
    expect(s.invites.invites.size).toBe(0);
    expect(s.activity.events).toHaveLength(0);
  });
});

describe('openInvite: one answer for an unknown, expired, used or mistyped link (no oracle)', () => {
  it('answers all of them with the same error and message', async () => {
    // Prepare: an expired link (still stored), a used one, one never made, one mistyped
    const s = await setup();
    const expired = await registerLink(s.deps, { expiresInHours: 1 });
    const used = tokenOf((await createInvite(s.deps, 'globex')).url);
    await connectWithKey(s.deps, used, { subdomain: 'globex', apiKey: FAKE_API_KEY });
    s.clock.advance(HOUR);
    const unknown = 'A'.repeat(43);
    const mistyped = expired.slice(0, 42);

    // Act
    const errors = await Promise.all([expired, used, unknown, mistyped, ''].map((token) => rejectionOf(openInvite(s.deps, token))));

    // Assess
    expect(s.invites.invites.size).toBe(2); // the expired one is still there: it is refused, not missing
    for (const error of errors) {
      expect(error).toBeInstanceOf(InviteInvalidError);
      expect(error.message).toBe(errors[0]!.message);
      expect((error as InviteInvalidError).code).toBe('invite-invalid');
    }
  });

  it('opens a link up to its expiry, not at it', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps, { expiresInHours: 2 });
    s.clock.advance(2 * HOUR - 1);

    // Act
    const before = await openInvite(s.deps, token);
    s.clock.advance(1);
    const at = openInvite(s.deps, token);

    // Assess
    expect(before.invite.tenantId).toBe('acme');
    await expect(at).rejects.toThrow(InviteInvalidError);
  });
});

describe('connectWithKey', () => {
  it('registers the tenant with the key in the secret store only, and spends the link: a second use is refused', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);

    // Act
    const outcome = await connectWithKey(s.deps, token, { subdomain: 'https://acme.bamboohr.com/', apiKey: ` ${FAKE_API_KEY}\n` });
    const again = connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: OTHER_KEY });

    // Assess
    expect(outcome).toMatchObject({ status: 'connected', tenantId: 'acme', subdomain: 'acme', via: 'api-key', exclusionField: 'Skip Elevo Sync', warnings: [] });
    expect(await s.tenants.get('acme')).toMatchObject({ subdomain: 'acme', status: 'active', exclusionField: 'Skip Elevo Sync', exclusionFieldId: '4501', webhookEnabled: true });
    expect(await s.secrets.get('acme')).toEqual({ apiKey: FAKE_API_KEY, webhookPrivateKey: 'webhook-private-key' });
    await expect(again).rejects.toThrow(InviteInvalidError);
    await expect(openInvite(s.deps, token)).rejects.toThrow(InviteInvalidError);
    expect((await s.secrets.get('acme'))?.apiKey).toBe(FAKE_API_KEY);
    const registered = s.activity.events.filter((e) => e.type === 'registered');
    expect(registered.map((e) => e.actor)).toEqual(['customer (connect link from support@example.com)']);
    expect(everythingKept(s, [await rejectionOf(again)])).not.toContain(FAKE_API_KEY);
    expect(everythingKept(s)).not.toContain(token);
  });

  it('queues the first sync at once when connected, and still connects when the queue refuses it', async () => {
    // Prepare
    const s = await setup();
    const queue = new InMemoryJobQueue();
    const token = await registerLink(s.deps);
    const broken = await setup();
    const brokenToken = await registerLink(broken.deps);

    // Act
    const outcome = await connectWithKey({ ...s.deps, queue }, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });
    const refused = await connectWithKey(
      {
        ...broken.deps,
        queue: {
          enqueue: async () => {
            throw new Error('SQS is down');
          },
        },
      },
      brokenToken,
      { subdomain: 'acme', apiKey: FAKE_API_KEY },
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'connected', syncQueued: true });
    expect(queue.jobs).toEqual([expect.objectContaining({ tenantId: 'acme', kind: 'full' })]);
    expect(refused).toMatchObject({ status: 'connected', syncQueued: false });
    expect(await broken.tenants.get('acme')).toMatchObject({ status: 'active' });
  });

  it('registers once when two tabs connect with the same link at the same time', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);

    // Act
    const results = await Promise.allSettled([
      connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY }),
      connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: OTHER_KEY }),
    ]);

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(ConnectionInProgressError);
    expect(s.activity.types('acme').filter((t) => t === 'registered')).toHaveLength(1);
    await expect(openInvite(s.deps, token)).rejects.toThrow(InviteInvalidError);
  });

  it('holds the link while a connection is made; a connection that died (a timeout) lets it be used again once its claim lapsed', async () => {
    // Prepare: the first connection's Lambda dies while registration checks BambooHR again (no answer in time)
    const s = await setup();
    const token = await registerLink(s.deps);
    const listFields = s.source.listFields.bind(s.source);
    let calls = 0;
    s.source.listFields = () => (++calls === 2 ? new Promise(() => undefined) : listFields());
    void connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });
    for (let i = 0; i < 50; i += 1) await new Promise((resolve) => setImmediate(resolve));
    s.source.listFields = listFields;

    // Act
    const meanwhile = await rejectionOf(connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY }));
    s.clock.advance(CLAIM_MS + 1_000);
    const later = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(meanwhile).toBeInstanceOf(ConnectionInProgressError);
    expect(meanwhile.message).toContain('Wait a minute');
    expect(later.status).toBe('connected');
    await expect(openInvite(s.deps, token)).rejects.toThrow(InviteInvalidError);
  });

  it('keeps a key that cannot see a required field, leaves the link pending, and registers on "Check again" once access is fixed', async () => {
    // Prepare: the integration user cannot see Status (required for any sync)
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.hiddenFields.add('status');

    // Act
    const first = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });
    const afterFirst = {
      tenant: await s.tenants.get('acme'),
      secret: await s.secrets.get('acme'),
      kept: [...s.connecting.items.values()],
      invite: (await openInvite(s.deps, token)).invite,
    };
    s.source.hiddenFields.delete('status');
    const second = await checkAgain(s.deps, token);

    // Assess
    expect(first).toMatchObject({ status: 'incomplete', via: 'api-key', warnings: [], token });
    expect(first.access.requiredMissing).toEqual(['Status']);
    expect(first.access.checklist.find((c) => c.apiName === 'status')).toMatchObject({ visible: false, required: true });
    expect(afterFirst.tenant).toBeNull();
    // Kept apart from the tenants' secrets (under the link's own name), and deleted once connected.
    expect(afterFirst.secret).toBeNull();
    expect(afterFirst.kept).toEqual([{ apiKey: FAKE_API_KEY, webhookPrivateKey: null }]);
    expect(s.connecting.items.size).toBe(0);
    expect(afterFirst.invite).toMatchObject({ usedAt: null, pending: { subdomain: 'acme', via: 'api-key' } });
    expect(second).toMatchObject({ status: 'connected', tenantId: 'acme', via: 'api-key' });
    expect(second.access.requiredMissing).toEqual([]);
    expect(await s.tenants.get('acme')).toMatchObject({ status: 'active', exclusionFieldId: '4501' });
    expect((await s.secrets.get('acme'))?.apiKey).toBe(FAKE_API_KEY);
    await expect(openInvite(s.deps, token)).rejects.toThrow(InviteInvalidError);
    expect(everythingKept(s)).not.toContain(FAKE_API_KEY);
  });

  it('is incomplete while the exclusion checkbox cannot be read, and registers nothing', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.hiddenFields.add('4501');

    // Act
    const outcome = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(outcome.status).toBe('incomplete');
    expect(outcome.access.exclusionMissing).toBe('Skip Elevo Sync');
    expect(await s.tenants.get('acme')).toBeNull();
    expect((await openInvite(s.deps, token)).invite.pending).toEqual({ subdomain: 'acme', via: 'api-key' });
  });

  it('connects a key that cannot see Work Email, with a warning naming it (Work Email is not a required field)', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.hiddenFields.add('workEmail');

    // Act
    const outcome = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(outcome.status).toBe('connected');
    expect(outcome.access.checklist.find((c) => c.apiName === 'workEmail')).toMatchObject({ visible: false, required: false });
    expect(outcome.warnings.join(' ')).toContain('Work Email');
  });

  it('says "nothing to check yet" on "Check again" before any connection', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);

    // Act
    const act = checkAgain(s.deps, token);

    // Assess
    await expect(act).rejects.toThrow(ValidationError);
    await expect(act).rejects.toThrow(/Nothing to check yet/);
  });

  it.each([
    [
      'the webhook cannot be created (BambooHR down)',
      (s: Awaited<ReturnType<typeof setup>>) => {
        const create = s.source.createWebhook.bind(s.source);
        s.source.createWebhook = async () => {
          s.source.createWebhook = create;
          throw new BambooHrUnavailableError('acme', 'the webhooks endpoint answered 503');
        };
      },
      BambooHrUnavailableError,
    ],
    [
      'the key cannot be stored',
      (s: Awaited<ReturnType<typeof setup>>) => {
        const put = s.secrets.put.bind(s.secrets);
        s.secrets.put = async () => {
          s.secrets.put = put;
          throw new Error('Secrets Manager unavailable');
        };
      },
      Error,
    ],
  ])('gives the link back when the registration fails (%s), so that the same link works again', async (_case, breakOnce, type) => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    breakOnce(s);

    // Act
    const failed = connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });
    await expect(failed).rejects.toThrow(type);
    const afterFailure = { tenant: await s.tenants.get('acme'), invite: (await openInvite(s.deps, token)).invite };
    const retried = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(afterFailure.tenant).toBeNull();
    expect(afterFailure.invite.usedAt).toBeNull();
    expect(retried.status).toBe('connected');
    expect(await s.tenants.get('acme')).toMatchObject({ status: 'active' });
    await expect(openInvite(s.deps, token)).rejects.toThrow(InviteInvalidError);
  });

  it('saves nothing for a key BambooHR refuses, and the error does not carry the key', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.failWith = new BambooHrAuthError('acme', 401);

    // Act
    const error = await rejectionOf(connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrAuthError);
    expect(s.tenants.items.size).toBe(0);
    expect(s.secrets.items.size).toBe(0);
    expect((await openInvite(s.deps, token)).invite).toMatchObject({ usedAt: null, pending: null });
    expect(everythingKept(s, [error])).not.toContain(FAKE_API_KEY);
  });

  it('refuses a pasted key with spaces without echoing it, before calling BambooHR', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);

    // Act
    const error = await rejectionOf(connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: 'secret part two' }));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).not.toContain('secret part two');
    expect(s.connections).toHaveLength(0);
  });

  it("refuses a register link once the id was registered meanwhile, without touching that tenant's key", async () => {
    // Prepare: support registers 'acme' after sending the link; the customer's key cannot see everything
    const s = await setup();
    const token = await registerLink(s.deps);
    await registerTenant(s.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: OTHER_KEY });
    s.source.hiddenFields.add('status');

    // Act
    const act = connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    await expect(act).rejects.toThrow(InviteInvalidError);
    expect((await s.secrets.get('acme'))?.apiKey).toBe(OTHER_KEY);
  });
});

describe('reconnect', () => {
  const existing = aTenant({
    exclusionField: 'skip_elevo_sync',
    exclusionFieldId: '4501',
    safeguards: { deactivationThresholdPct: 40, deactivationMin: 7 },
    createdAt: '2026-01-01T00:00:00.000Z',
    lastSuccessAt: '2026-11-24T10:00:00.000Z',
  });
  const withAlias = (s: Awaited<ReturnType<typeof setup>>) => {
    s.source.fields = [{ id: '4501', name: 'Skip Elevo Sync', alias: 'skip_elevo_sync', type: 'checkbox' }];
  };

  it.each([
    ['active', 'active'],
    ['disabled', 'disabled'],
    ['needs-attention', 'active'],
  ] as const)('replaces the key of a tenant that is %s and keeps its settings (status then %s)', async (status, after) => {
    // Prepare
    const s = await setup({ tenant: { ...existing, status, statusReason: status === 'active' ? null : 'because' }, secret: { apiKey: OTHER_KEY, webhookPrivateKey: 'old-webhook-key' } });
    withAlias(s);
    const invite = await createInvite(s.deps, 'acme', { actor: 'support@example.com' });

    // Act
    const outcome = await connectWithKey(s.deps, tokenOf(invite.url), { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(invite.mode).toBe('reconnect');
    expect(outcome).toMatchObject({ status: 'connected', via: 'api-key', exclusionField: 'skip_elevo_sync' });
    expect((await s.secrets.get('acme'))?.apiKey).toBe(FAKE_API_KEY);
    expect(await s.tenants.get('acme')).toMatchObject({
      exclusionField: 'skip_elevo_sync',
      exclusionFieldId: '4501',
      safeguards: { deactivationThresholdPct: 40, deactivationMin: 7 },
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSuccessAt: '2026-11-24T10:00:00.000Z',
      status: after,
    });
    expect(s.activity.events.at(-1)).toMatchObject({ actor: 'customer (connect link from support@example.com)' });
    expect(s.activity.events.at(-1)!.message).toContain('API key replaced');
    expect(everythingKept(s)).not.toContain(FAKE_API_KEY);
    expect(everythingKept(s)).not.toContain(OTHER_KEY);
    await expect(openInvite(s.deps, tokenOf(invite.url))).rejects.toThrow(InviteInvalidError);
  });

  it('keeps the working key when the new one cannot see everything, and asks for it again', async () => {
    // Prepare
    const s = await setup({ tenant: existing, secret: { apiKey: OTHER_KEY, webhookPrivateKey: null } });
    withAlias(s);
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);
    s.source.hiddenFields.add('status');

    // Act
    const outcome = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });
    const check = checkAgain(s.deps, token);

    // Assess
    expect(outcome).toMatchObject({ status: 'incomplete', canCheckAgain: false });
    expect(await s.secrets.get('acme')).toEqual({ apiKey: OTHER_KEY, webhookPrivateKey: null });
    expect((await openInvite(s.deps, token)).invite).toMatchObject({ usedAt: null, pending: null });
    // The new key was not kept, so "Check again" has nothing to check: the customer connects again.
    await expect(check).rejects.toThrow(ValidationError);
  });

  it.each([
    [true, 0, 'old-webhook-key'],
    [false, 1, 'new-webhook-key'],
  ] as const)('with a webhook already (%s) creates %d new one(s), keeping the webhook key %s', async (webhookEnabled, created, key) => {
    // Prepare
    const s = await setup({ tenant: { ...existing, webhookEnabled }, secret: { apiKey: OTHER_KEY, webhookPrivateKey: webhookEnabled ? 'old-webhook-key' : null } });
    withAlias(s);
    let webhooksCreated = 0;
    s.source.createWebhook = async () => (webhooksCreated++, { id: '9', privateKey: 'new-webhook-key' });
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);

    // Act
    const outcome = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(outcome.status).toBe('connected');
    expect(webhooksCreated).toBe(created);
    expect(await s.secrets.get('acme')).toEqual({ apiKey: FAKE_API_KEY, webhookPrivateKey: key });
    expect((await s.tenants.get('acme'))?.webhookEnabled).toBe(true);
  });

  it('says the link reconnects its own company when another BambooHR address is given, changing nothing', async () => {
    // Prepare
    const s = await setup({ tenant: existing, secret: { apiKey: OTHER_KEY, webhookPrivateKey: null } });
    withAlias(s);
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);

    // Act
    const error = await rejectionOf(connectWithKey(s.deps, token, { subdomain: 'othercorp', apiKey: FAKE_API_KEY }));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain("connects the BambooHR company 'acme' again, not 'othercorp'");
    expect(await s.tenants.get('acme')).toMatchObject({ subdomain: existing.subdomain });
    expect(await s.secrets.get('acme')).toEqual({ apiKey: OTHER_KEY, webhookPrivateKey: null });
    expect((await openInvite(s.deps, token)).invite.usedAt).toBeNull();
  });

  it('answers a reconnect link of a tenant removed since with the link answer', async () => {
    // Prepare
    const s = await setup({ tenant: existing, secret: { apiKey: OTHER_KEY, webhookPrivateKey: null } });
    withAlias(s);
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);
    await s.tenants.delete('acme');
    await s.secrets.delete('acme');

    // Act
    const error = await rejectionOf(connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY }));

    // Assess
    expect(error).toBeInstanceOf(InviteInvalidError);
    expect(s.tenants.items.size).toBe(0);
    expect(await s.secrets.get('acme')).toBeNull();
  });

  it("checks the tenant's exclusion field as it is now, not as it was when the link was made", async () => {
    // Prepare
    const s = await setup({ tenant: existing, secret: { apiKey: OTHER_KEY, webhookPrivateKey: null } });
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);
    await s.tenants.save({ ...existing, exclusionField: null, exclusionFieldId: null });

    // Act: the company has no checkbox at all (no alias): fine, the tenant no longer uses one
    const outcome = await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect(outcome).toMatchObject({ status: 'connected', exclusionField: null, canCheckAgain: false });
    expect((await s.secrets.get('acme'))?.apiKey).toBe(FAKE_API_KEY);
  });

  it('replaces the key by an OAuth grant, keeping the settings', async () => {
    // Prepare
    const s = await setup({ tenant: existing, secret: { apiKey: OTHER_KEY, webhookPrivateKey: null } });
    withAlias(s);
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);
    const state = await stateOf(s.deps, token);

    // Act
    const outcome = await finishOAuth(s.deps, { code: 'the-code', state }, token);

    // Assess
    expect(outcome).toMatchObject({ status: 'connected', via: 'oauth' });
    const secret = await s.secrets.get('acme');
    expect(secret?.apiKey).toBeNull();
    expect(secret?.oauth?.accessToken).toMatch(/^access-token-/);
    expect(await s.tenants.get('acme')).toMatchObject({ exclusionField: 'skip_elevo_sync', exclusionFieldId: '4501', safeguards: existing.safeguards });
    for (const token of s.oauth.handedOut) expect(everythingKept(s)).not.toContain(token);
  });
});

describe('OAuth', () => {
  it("sends the admin to their own company's consent page, with a single-use state kept only as its hash", async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);

    // Act
    const { redirectTo } = await startOAuth(s.deps, token, 'https://acme.bamboohr.com/');

    // Assess
    const url = new URL(redirectTo);
    expect(`${url.origin}${url.pathname}`).toBe('https://acme.bamboohr.com/authorize.php');
    const state = url.searchParams.get('state')!;
    expect(Object.fromEntries(url.searchParams)).toEqual({
      request: 'authorize',
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${PUBLIC_BASE_URL}/oauth/bamboohr/callback`,
      scope: OAUTH_SCOPES.join(' '),
      state,
    });
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state).not.toBe(token);
    expect([...s.invites.states.keys()]).toHaveLength(1);
    expect(everythingKept(s)).not.toContain(state);
    expect(everythingKept(s)).not.toContain(token);
    expect(redirectTo).not.toContain(token);
    expect(redirectTo).not.toContain(CLIENT_SECRET);
  });

  it.each([['evil.example.com/x'], ['https://acme.bamboohr.com.evil.io/'], ['../x']])('refuses the company %p and keeps no state', async (subdomain) => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);

    // Act
    const act = startOAuth(s.deps, token, subdomain);

    // Assess
    await expect(act).rejects.toThrow(ValidationError);
    expect(s.invites.states.size).toBe(0);
  });

  it('refuses to start from a link that does not work, with the link answer', async () => {
    // Prepare
    const s = await setup();

    // Act
    const act = startOAuth(s.deps, 'B'.repeat(43), 'acme');

    // Assess
    await expect(act).rejects.toThrow(InviteInvalidError);
    expect(s.invites.states.size).toBe(0);
  });

  it('registers with the grant: the code is exchanged once, the tokens go to the secret store only, the link is spent', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);

    // Act
    const outcome = await finishOAuth(s.deps, { code: 'the-code', state }, token);

    // Assess
    expect(outcome).toMatchObject({ status: 'connected', tenantId: 'acme', subdomain: 'acme', via: 'oauth', warnings: [] });
    expect(s.oauth.exchanged).toEqual([{ subdomain: 'acme', code: 'the-code', redirectUri: `${PUBLIC_BASE_URL}/oauth/bamboohr/callback` }]);
    const secret = await s.secrets.get('acme');
    expect(secret?.apiKey).toBeNull();
    expect(secret?.oauth).toMatchObject({ accessToken: expect.stringMatching(/^access-token-/), refreshToken: expect.stringMatching(/^refresh-token-/), scopes: [...OAUTH_SCOPES] });
    expect(secret?.webhookPrivateKey).toBe('webhook-private-key');
    expect(await s.tenants.get('acme')).toMatchObject({ status: 'active', webhookEnabled: true });
    await expect(openInvite(s.deps, token)).rejects.toThrow(InviteInvalidError);
    const kept = everythingKept(s);
    for (const t of [...s.oauth.handedOut, CLIENT_SECRET, 'the-code', state, token]) expect(kept).not.toContain(t);
    expect(s.activity.events.find((e) => e.type === 'registered')?.message).toContain('with OAuth');
  });

  it('uses a state once: the same state answered again is refused without exchanging its code', async () => {
    // Prepare: the first answer was a denial, which leaves the link usable
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);
    await expect(finishOAuth(s.deps, { error: 'access_denied', state }, token)).rejects.toThrow(ConsentDeniedError);

    // Act
    const replay = finishOAuth(s.deps, { code: 'the-code', state }, token);

    // Assess
    await expect(replay).rejects.toThrow(OAuthStateInvalidError);
    expect(s.oauth.exchanged).toHaveLength(0);
    expect(s.tenants.items.size).toBe(0);
    expect((await openInvite(s.deps, token)).invite.usedAt).toBeNull();
  });

  it.each([
    ['changed in one character', (state: string) => state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A')],
    ['cut short', (state: string) => state.slice(0, 42)],
    ['made longer', (state: string) => `${state}A`],
    ['left out', () => undefined],
    ['replaced by the invite token', (_state: string, token: string) => token],
  ])('refuses a state %s, and exchanges no code', async (_case, tamper) => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);

    // Act
    const act = finishOAuth(s.deps, { code: 'the-code', state: tamper(state, token) }, token);

    // Assess
    await expect(act).rejects.toThrow(OAuthStateInvalidError);
    expect(s.oauth.exchanged).toHaveLength(0);
    expect(s.tenants.items.size).toBe(0);
    expect(s.secrets.items.size).toBe(0);
  });

  it.each([
    ['without the cookie', async () => null],
    ['with a mistyped cookie', async () => 'not-a-token'],
    ['with the cookie of another link', async (s: Awaited<ReturnType<typeof setup>>) => tokenOf((await createInvite(s.deps, 'globex')).url)],
  ])('refuses a state answered in another browser (%s), leaving it to the browser that started it', async (_case, cookie) => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);
    const otherBrowser = await cookie(s);

    // Act
    const act = finishOAuth(s.deps, { code: 'the-code', state }, otherBrowser);

    // Assess
    await expect(act).rejects.toThrow(OAuthStateInvalidError);
    expect(s.oauth.exchanged).toHaveLength(0);
    expect(s.tenants.items.size).toBe(0);
    expect(s.secrets.items.size).toBe(0);
    // The state is left for the browser that started it, which still connects with it.
    await expect(finishOAuth(s.deps, { code: 'the-code', state }, token)).resolves.toMatchObject({ status: 'connected' });
  });

  it('refuses a state answered after it expired', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);
    s.clock.advance(15 * 60_000);

    // Act
    const act = finishOAuth(s.deps, { code: 'the-code', state }, token);

    // Assess
    await expect(act).rejects.toThrow(OAuthStateInvalidError);
    expect(s.oauth.exchanged).toHaveLength(0);
    expect(s.tenants.items.size).toBe(0);
  });

  it('answers with the link answer when the link expired during consent', async () => {
    // Prepare: a 10-minute link, consent started at once and answered 11 minutes later (the state is still valid)
    const s = await setup();
    const token = await registerLink(s.deps, { expiresInHours: 10 / 60 });
    const state = await stateOf(s.deps, token);
    s.clock.advance(11 * 60_000);

    // Act
    const act = finishOAuth(s.deps, { code: 'the-code', state }, token);

    // Assess
    await expect(act).rejects.toThrow(InviteInvalidError);
    expect(s.oauth.exchanged).toHaveLength(0);
  });

  it('says so when consent is denied at BambooHR, connects nothing, and the link still works', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);

    // Act
    const denied = await rejectionOf(finishOAuth(s.deps, { error: 'access_denied', state }, token));
    const retried = await finishOAuth(s.deps, { code: 'the-code', state: await stateOf(s.deps, token) }, token);

    // Assess
    expect(denied).toBeInstanceOf(ConsentDeniedError);
    expect(denied.message).toMatch(/not approved/);
    expect(s.oauth.exchanged).toHaveLength(1); // only the retry's code
    expect(retried.status).toBe('connected');
    expect(s.activity.types('acme').filter((t) => t === 'registered')).toHaveLength(1);
  });

  it('treats a code BambooHR refuses as consent denied, connecting nothing', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);
    s.oauth.refuse = true;

    // Act
    const act = finishOAuth(s.deps, { code: 'the-code', state }, token);

    // Assess
    await expect(act).rejects.toThrow(ConsentDeniedError);
    expect(s.tenants.items.size).toBe(0);
    expect(s.secrets.items.size).toBe(0);
    expect((await openInvite(s.deps, token)).invite).toMatchObject({ usedAt: null, pending: null });
  });

  it("reports BambooHR refusing the app's own credentials (invalid_client) as this deployment's problem, not as a denied consent", async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);
    s.oauth.exchangeCode = async () => {
      throw new TokenRefusedError('invalid_client');
    };

    // Act
    const error = await rejectionOf(finishOAuth(s.deps, { code: 'the-code', state }, token));

    // Assess
    expect(error).toBeInstanceOf(OAuthNotConfiguredError);
    expect(error.message).toContain('BAMBOOHR_OAUTH_CLIENT');
    expect(error.message).not.toContain(CLIENT_SECRET);
    expect(s.tenants.items.size).toBe(0);
    expect((await openInvite(s.deps, token)).invite.usedAt).toBeNull();
  });

  it('connects nothing on a grant without a refresh token (offline access not approved), and the link still works', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);
    const exchange = s.oauth.exchangeCode.bind(s.oauth);
    s.oauth.exchangeCode = async (input) => ({ ...(await exchange(input)), refreshToken: null });

    // Act
    const error = await rejectionOf(finishOAuth(s.deps, { code: 'the-code', state }, token));

    // Assess
    expect(error).toBeInstanceOf(OfflineAccessMissingError);
    expect(error.message).toContain('offline access');
    expect(s.tenants.items.size).toBe(0);
    expect(s.secrets.items.size).toBe(0);
    expect((await openInvite(s.deps, token)).invite).toMatchObject({ usedAt: null, pending: null });
  });

  it('refuses a callback with neither a code nor an error', async () => {
    // Prepare
    const s = await setup();
    const token = await registerLink(s.deps);
    const state = await stateOf(s.deps, token);

    // Act
    const act = finishOAuth(s.deps, { state }, token);

    // Assess
    await expect(act).rejects.toThrow(OAuthStateInvalidError);
    expect(s.tenants.items.size).toBe(0);
  });

  it.each([['register'], ['reconnect']] as const)('warns, in %s mode, when the webhooks permission was not granted, and creates no webhook', async (mode) => {
    // Prepare
    const s = await setup(mode === 'reconnect' ? { tenant: aTenant(), secret: { apiKey: OTHER_KEY, webhookPrivateKey: null } } : {});
    const token = tokenOf((await createInvite(s.deps, 'acme')).url);
    s.oauth.scopes = OAUTH_SCOPES.filter((scope) => scope !== 'webhooks');
    let webhooksCreated = 0;
    s.source.createWebhook = async () => (webhooksCreated++, { id: '1', privateKey: 'webhook-private-key' });

    // Act
    const outcome = await finishOAuth(s.deps, { code: 'the-code', state: await stateOf(s.deps, token) }, token);

    // Assess
    expect(outcome.status).toBe('connected');
    expect(outcome.warnings.join(' ')).toContain('"webhooks" permission');
    expect(webhooksCreated).toBe(0);
    expect(await s.tenants.get('acme')).toMatchObject({ webhookEnabled: false });
    expect((await s.secrets.get('acme'))?.oauth?.scopes).not.toContain('webhooks');
  });

  it('keeps a grant that cannot see everything and registers on "Check again" after access is fixed, hours later', async () => {
    // Prepare: consent given, but the admin's access level hides Status; fixing it takes two hours
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.hiddenFields.add('status');
    const first = await finishOAuth(s.deps, { code: 'the-code', state: await stateOf(s.deps, token) }, token);
    const kept = [...s.connecting.items.values()][0];
    s.clock.advance(2 * HOUR);
    s.source.hiddenFields.delete('status');

    // Act
    const second = await checkAgain(s.deps, token);

    // Assess
    expect(first).toMatchObject({ status: 'incomplete', via: 'oauth' });
    expect(kept?.oauth?.accessToken).toMatch(/^access-token-/);
    expect(second).toMatchObject({ status: 'connected', via: 'oauth' });
    expect(await s.tenants.get('acme')).toMatchObject({ status: 'active' });
    const stored = await s.secrets.get('acme');
    expect(s.oauth.expired(stored!.oauth!.accessToken)).toBe(false);
    for (const t of s.oauth.handedOut) expect(everythingKept(s)).not.toContain(t);
  });

  it('asks for a new sign-in on "Check again" when BambooHR no longer accepts the kept grant, without showing a token', async () => {
    // Prepare: the grant kept while access was incomplete can no longer be refreshed (the app was disconnected)
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.hiddenFields.add('status');
    await finishOAuth(s.deps, { code: 'the-code', state: await stateOf(s.deps, token) }, token);
    s.clock.advance(2 * HOUR);
    s.source.hiddenFields.delete('status');
    s.oauth.refuse = true;

    // Act
    const error = await rejectionOf(checkAgain(s.deps, token));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/connect with BambooHR again/);
    expect(s.tenants.items.size).toBe(0);
    expect((await openInvite(s.deps, token)).invite.usedAt).toBeNull();
    for (const t of s.oauth.handedOut) expect(everythingKept(s, [error])).not.toContain(t);
  });
});

describe('checkAgain', () => {
  it("refuses a register link whose id was registered meanwhile, without using or changing that tenant's credential", async () => {
    // Prepare: the customer's key was kept (incomplete), then support registered 'acme' with another key
    const s = await setup();
    const token = await registerLink(s.deps);
    s.source.hiddenFields.add('status');
    await connectWithKey(s.deps, token, { subdomain: 'acme', apiKey: FAKE_API_KEY });
    s.source.hiddenFields.delete('status');
    await registerTenant(s.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: OTHER_KEY });
    const connectionsBefore = s.connections.length;

    // Act
    const act = checkAgain(s.deps, token);

    // Assess
    await expect(act).rejects.toThrow(InviteInvalidError);
    expect(s.connections.length).toBe(connectionsBefore);
    expect((await s.secrets.get('acme'))?.apiKey).toBe(OTHER_KEY);
  });
});
