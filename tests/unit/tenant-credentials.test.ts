import { TokenRefusedError } from '../../lib/bamboohr/oauth-client.js';
import { BambooHrUnavailableError, OAuthAppRefusedError, OAuthGrantRefusedError, OAuthNotConfiguredError } from '../../lib/errors.js';
import type { MarkerStore, OAuthClient, OAuthGrant, OAuthTokens, TenantSecret } from '../../lib/ports.js';
import { REFRESH_MARGIN_MS, usableSecret, type CredentialDeps } from '../../lib/use-cases/tenant-credentials.js';
import { FAKE_API_KEY, aTenant } from '../helpers/builders.js';
import { FixedClock, InMemoryMarkerStore, InMemorySecretStore } from '../helpers/in-memory-ports.js';
import { everythingIn, rejectionOf } from '../helpers/errors.js';
import { NEW_ACCESS, NEW_REFRESH, OLD_ACCESS, OLD_REFRESH, OTHER_ACCESS as WINNER_ACCESS, OTHER_REFRESH as WINNER_REFRESH, WEBHOOK_KEY } from '../helpers/secret-canaries.js';

// Every secret value these tests handle: none may ever turn up in an error.
const NEWER_ACCESS = 'access-n3wer-1a3c5e7b9d0f2a4c6e8b';
const NEWER_REFRESH = 'refresh-n3wer-8c6a4e2f0d9b7c5a3e1f';
const CLIENT_SECRET = 'client-s3cret-6e8a0c2b4d1f3a5c7e9b';
const ALL_SECRET_VALUES = [OLD_ACCESS, OLD_REFRESH, NEW_ACCESS, NEW_REFRESH, NEWER_ACCESS, NEWER_REFRESH, WINNER_ACCESS, WINNER_REFRESH, WEBHOOK_KEY, CLIENT_SECRET, FAKE_API_KEY];

const tenant = aTenant({ tenantId: 'acme', subdomain: 'acme' });
const HOUR = 60 * 60_000;

const inFromNow = (clock: FixedClock, ms: number) => new Date(clock.now().getTime() + ms).toISOString();

/** A grant whose access token expires within the refresh margin (2 minutes left). */
const anExpiringGrant = (clock: FixedClock, overrides: Partial<OAuthGrant> = {}): OAuthGrant => ({
  accessToken: OLD_ACCESS,
  refreshToken: OLD_REFRESH,
  expiresAt: inFromNow(clock, 2 * 60_000),
  scopes: ['employee:read', 'offline_access'],
  ...overrides,
});

const anOAuthSecret = (oauth: OAuthGrant): TenantSecret => ({ apiKey: null, oauth, webhookPrivateKey: WEBHOOK_KEY });

type Deferred = { promise: Promise<void>; resolve: () => void };
const deferred = (): Deferred => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
const macrotasks = async (count: number) => {
  for (let i = 0; i < count; i += 1) await macrotask();
};

/** BambooHR's token endpoint: it records every refresh token it is given, and answers with the next pair. */
class FakeTokenEndpoint implements OAuthClient {
  /** The refresh tokens it was asked to redeem, in order. */
  readonly refreshedWith: string[] = [];
  /** The pairs it hands out, in order. */
  answers: Array<Pick<OAuthTokens, 'accessToken' | 'refreshToken'>> = [
    { accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH },
    { accessToken: NEWER_ACCESS, refreshToken: NEWER_REFRESH },
  ];
  /** When set, a refresh waits for it before answering. */
  hold: Promise<void> | null = null;
  /** When set, a refresh fails with it (after being recorded). */
  failWith: Error | null = null;
  /** Runs while a refresh is in flight (e.g. another worker saving meanwhile). */
  meanwhile: (() => Promise<void>) | null = null;

  /** The app's client secret, which goes with every request (the adapter's, never shown by the use case). */
  readonly clientSecret = CLIENT_SECRET;

  constructor(private readonly clock: FixedClock) {}

  async exchangeCode(): Promise<OAuthTokens> {
    throw new Error('not used here');
  }

  async refresh({ refreshToken }: { subdomain: string; refreshToken: string }): Promise<OAuthTokens> {
    this.refreshedWith.push(refreshToken);
    if (this.hold) await this.hold;
    if (this.meanwhile) await this.meanwhile();
    if (this.failWith) throw this.failWith;
    const next = this.answers.shift();
    if (!next) throw new Error('the fake token endpoint ran out of answers');
    return { ...next, expiresAt: inFromNow(this.clock, HOUR), scopes: null };
  }
}

/** The in-memory secret store, recording what the use case saved and when. */
class RecordingSecretStore extends InMemorySecretStore {
  readonly saves: Array<{ secret: TenantSecret; version: string }> = [];
  versionedReads = 0;
  override async getVersioned(tenantId: string) {
    this.versionedReads += 1;
    return super.getVersioned(tenantId);
  }
  /** When set, a save waits for it before storing anything. */
  holdSaves: Promise<void> | null = null;
  override async replaceIfCurrent(tenantId: string, secret: TenantSecret, version: string) {
    this.saves.push({ secret: structuredClone(secret), version });
    if (this.holdSaves) await this.holdSaves;
    return super.replaceIfCurrent(tenantId, secret, version);
  }
}

const setup = async (stored: (clock: FixedClock) => TenantSecret | null) => {
  const clock = new FixedClock();
  const secrets = new RecordingSecretStore();
  const markers = new InMemoryMarkerStore(clock);
  const oauth = new FakeTokenEndpoint(clock);
  const sleeps: number[] = [];
  const deps: CredentialDeps = {
    secrets,
    clock,
    oauth,
    markers,
    sleep: async (ms) => {
      sleeps.push(ms);
      await macrotask();
    },
  };
  const secret = stored(clock);
  if (secret) await secrets.put('acme', secret);
  return { clock, secrets, markers, oauth, sleeps, deps, secret: secret! };
};

describe('usableSecret: what needs no refresh', () => {
  it('returns an API-key secret as it is, without a lock, a read or a token endpoint', async () => {
    // Prepare
    const secret: TenantSecret = { apiKey: FAKE_API_KEY, webhookPrivateKey: WEBHOOK_KEY };
    const secrets = new RecordingSecretStore();
    const claims: string[] = [];
    const markers: MarkerStore = { claim: async (key) => (claims.push(key), true), release: async () => {}, renew: async () => {} };

    // Act
    const usable = await usableSecret({ secrets, clock: new FixedClock(), oauth: null, markers }, tenant, secret);

    // Assess
    expect(usable).toBe(secret);
    expect(claims).toHaveLength(0);
    expect(secrets.versionedReads).toBe(0);
    expect(secrets.saves).toHaveLength(0);
  });

  it('uses a grant with more than the refresh margin left as it is, without refreshing', async () => {
    // Prepare
    const { deps, oauth, secrets, markers } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock, { expiresAt: inFromNow(clock, REFRESH_MARGIN_MS + 60_000) })));
    const secret = (await secrets.get('acme'))!;

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(usable).toBe(secret);
    expect(usable.oauth?.accessToken).toBe(OLD_ACCESS);
    expect(oauth.refreshedWith).toHaveLength(0);
    expect(secrets.versionedReads).toBe(0);
    expect(secrets.saves).toHaveLength(0);
    expect(markers.items.size).toBe(0);
  });

  it('says the OAuth app is not configured when a grant needs a refresh and there is no token endpoint', async () => {
    // Prepare
    const { deps, secret, secrets } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));

    // Act
    const error = await rejectionOf(usableSecret({ ...deps, oauth: null }, tenant, secret));

    // Assess
    expect(error).toBeInstanceOf(OAuthNotConfiguredError);
    expect((await secrets.get('acme'))?.oauth?.accessToken).toBe(OLD_ACCESS);
  });
});

describe('usableSecret: refreshing a grant about to expire', () => {
  it('refreshes once and saves the rotated pair by a compare-and-set on the version it read', async () => {
    // Prepare
    const { deps, oauth, secrets, secret, markers } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH]);
    expect(usable.oauth).toMatchObject({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH, scopes: ['employee:read', 'offline_access'] });
    expect(usable.webhookPrivateKey).toBe(WEBHOOK_KEY);
    expect(secrets.saves).toEqual([{ secret: usable, version: 'v1' }]);
    const stored = await secrets.getVersioned('acme');
    expect(stored?.secret).toEqual(usable);
    expect(stored?.pending).toBeNull();
    expect(markers.items.size).toBe(0); // the lock is given back
  });

  it('keeps the refresh token it had when the token endpoint gives no new one (no rotation)', async () => {
    // Prepare
    const { deps, oauth, secrets, secret } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    oauth.answers = [{ accessToken: NEW_ACCESS, refreshToken: null }];

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(usable.oauth).toMatchObject({ accessToken: NEW_ACCESS, refreshToken: OLD_REFRESH });
    expect((await secrets.get('acme'))?.oauth).toEqual(usable.oauth);
  });

  it('does not hand out the new access token before the new pair is saved', async () => {
    // Prepare
    const { deps, secrets, secret } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    const save = deferred();
    secrets.holdSaves = save.promise;
    let settled = false;

    // Act
    const pending = usableSecret(deps, tenant, secret).finally(() => {
      settled = true;
    });
    while (secrets.saves.length === 0) await macrotask();
    await macrotask();
    const settledWhileSaving = settled;
    const storedWhileSaving = (await secrets.get('acme'))?.oauth?.accessToken;
    save.resolve();
    const usable = await pending;

    // Assess
    expect(settledWhileSaving).toBe(false);
    expect(storedWhileSaving).toBe(OLD_ACCESS);
    expect(usable.oauth?.accessToken).toBe(NEW_ACCESS);
    expect((await secrets.get('acme'))?.oauth?.accessToken).toBe(NEW_ACCESS);
  });

  it('refreshes a grant BambooHR just refused even though it has not expired', async () => {
    // Prepare
    const { deps, oauth, secret } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock, { expiresAt: inFromNow(clock, HOUR) })));

    // Act
    const usable = await usableSecret(deps, tenant, secret, { refused: true });

    // Assess
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH]);
    expect(usable.oauth?.accessToken).toBe(NEW_ACCESS);
  });
});

describe('usableSecret: one refresh per rotation', () => {
  it('lets one of several concurrent callers refresh; the others wait and use its grant', async () => {
    // Prepare: the token endpoint answers only once every other caller is waiting
    const callers = 5;
    const { deps, oauth, secrets, secret, sleeps } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    const everyoneWaits = deferred();
    // (Or after a while regardless, so that callers that do not wait fail the assertions rather than hang.)
    oauth.hold = Promise.race([everyoneWaits.promise, macrotasks(50)]);
    deps.sleep = async (ms) => {
      sleeps.push(ms);
      if (sleeps.length >= callers - 1) everyoneWaits.resolve();
      await macrotask();
    };

    // Act
    const results = await Promise.all(Array.from({ length: callers }, () => usableSecret(deps, tenant, secret)));

    // Assess
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH]);
    expect(secrets.saves).toHaveLength(1);
    for (const result of results) expect(result.oauth).toMatchObject({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
    expect(sleeps.length).toBeGreaterThanOrEqual(callers - 1);
    expect((await secrets.get('acme'))?.oauth?.accessToken).toBe(NEW_ACCESS);
  });

  it('uses the grant another worker saved first, and never redeems the spent refresh token again', async () => {
    // Prepare: while this worker refreshes, another one (whose lock had expired) saves its own grant
    const { clock, deps, oauth, secrets, secret } = await setup((c) => anOAuthSecret(anExpiringGrant(c)));
    const winner = anOAuthSecret({ accessToken: WINNER_ACCESS, refreshToken: WINNER_REFRESH, expiresAt: inFromNow(clock, HOUR), scopes: ['employee:read'] });
    oauth.meanwhile = async () => {
      oauth.meanwhile = null;
      await secrets.put('acme', winner);
    };

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(secrets.saves).toHaveLength(1); // its own save lost the compare-and-set
    expect(secrets.saves[0]?.version).toBe('v1');
    expect(usable).toEqual(winner);
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH]);
    expect((await secrets.get('acme'))).toEqual(winner);
  });

  it('takes a grant another worker just saved instead of refreshing when it gets the lock late', async () => {
    // Prepare: the caller read the old grant; by the time it holds the lock, a new one is current
    const { clock, deps, oauth, secrets, secret } = await setup((c) => anOAuthSecret(anExpiringGrant(c)));
    const refreshed = anOAuthSecret({ accessToken: WINNER_ACCESS, refreshToken: WINNER_REFRESH, expiresAt: inFromNow(clock, HOUR), scopes: ['employee:read'] });
    await secrets.put('acme', refreshed);

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(usable).toEqual(refreshed);
    expect(oauth.refreshedWith).toHaveLength(0);
    expect(secrets.saves).toHaveLength(0);
  });
});

describe('usableSecret: a worker that died between saving the new pair and making it current', () => {
  it('makes the pending grant current on the next call, without redeeming a refresh token again', async () => {
    // Prepare
    const { deps, oauth, secrets, secret } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    secrets.dieAfterPending = true;
    const crash = await rejectionOf(usableSecret(deps, tenant, secret));

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(String(crash)).toMatch(/Lambda killed/);
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH]);
    expect(usable.oauth).toMatchObject({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
    const stored = await secrets.getVersioned('acme');
    expect(stored?.secret).toEqual(usable);
    expect(stored?.pending).toBeNull();
  });

  it('waits out the lock the dead worker never gave back, then makes its pending grant current', async () => {
    // Prepare: the dead worker's `finally` never ran, so its lock stays until it expires
    const { clock, deps, oauth, secrets, markers, secret, sleeps } = await setup((c) => anOAuthSecret(anExpiringGrant(c)));
    const release = markers.release.bind(markers);
    markers.release = async () => {};
    secrets.dieAfterPending = true;
    await rejectionOf(usableSecret(deps, tenant, secret));
    markers.release = release;
    deps.sleep = async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    };

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess
    expect(sleeps.length).toBeGreaterThan(0);
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH]);
    expect(usable.oauth).toMatchObject({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
    expect((await secrets.getVersioned('acme'))?.secret).toEqual(usable);
  });

  it('refreshes a pending grant that has expired meanwhile with its own refresh token, after making it current', async () => {
    // Prepare: the worker died long ago; the pending access token has expired since
    const { clock, deps, oauth, secrets, secret } = await setup((c) => anOAuthSecret(anExpiringGrant(c)));
    secrets.dieAfterPending = true;
    await rejectionOf(usableSecret(deps, tenant, secret));
    clock.advance(2 * HOUR);

    // Act
    const usable = await usableSecret(deps, tenant, secret);

    // Assess: the spent refresh token is never redeemed again; the access token handed out is not expired
    expect(oauth.refreshedWith).toEqual([OLD_REFRESH, NEW_REFRESH]);
    expect(usable.oauth).toMatchObject({ accessToken: NEWER_ACCESS, refreshToken: NEWER_REFRESH });
    expect(Date.parse(usable.oauth!.expiresAt)).toBeGreaterThan(clock.now().getTime() + REFRESH_MARGIN_MS);
    expect((await secrets.getVersioned('acme'))?.secret).toEqual(usable);
  });
});

describe('usableSecret: a grant BambooHR refuses', () => {
  // The token endpoint client (lib/bamboohr/oauth-client.ts) turns these answers into a TokenRefusedError.
  it.each([
    ['invalid_grant', 'a spent or expired refresh token'],
    ['access_denied', 'the company withdrew the app'],
  ])('turns a refused refresh (%s: %s) into an error telling support to send a new connect link', async (code) => {
    // Prepare
    const { deps, oauth, secrets, secret, markers } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    oauth.failWith = new TokenRefusedError(code);

    // Act
    const error = await rejectionOf(usableSecret(deps, tenant, secret));

    // Assess
    expect(error).toBeInstanceOf(OAuthGrantRefusedError);
    expect(error).toMatchObject({ code: 'oauth-grant-refused', retryable: false, needsAttention: true, tenantId: 'acme' });
    expect((error as Error).message).toContain('bamboohr-sync tenant invite acme');
    expect((await secrets.get('acme'))?.oauth?.accessToken).toBe(OLD_ACCESS);
    expect(secrets.saves).toHaveLength(0);
    expect(markers.items.size).toBe(0);
  });

  it.each(['invalid_client', 'unauthorized_client'])(
    "reports BambooHR refusing the app itself (%s) as the operators' problem, retried, keeping the tenant's grant",
    async (code) => {
      // Prepare
      const { deps, oauth, secrets, secret, markers } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
      oauth.failWith = new TokenRefusedError(code);

      // Act
      const error = await rejectionOf(usableSecret(deps, tenant, secret));

      // Assess
      expect(error).toBeInstanceOf(OAuthAppRefusedError);
      expect(error).toMatchObject({ code: 'oauth-app-refused', retryable: true, needsAttention: false });
      expect((error as Error).message).toContain('BAMBOOHR_OAUTH_CLIENT');
      expect((await secrets.get('acme'))?.oauth?.accessToken).toBe(OLD_ACCESS);
      expect(secrets.saves).toHaveLength(0);
      expect(markers.items.size).toBe(0);
    },
  );

  it('needs a new connection, without asking the token endpoint, when the grant has no refresh token', async () => {
    // Prepare
    const { deps, oauth, secret } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock, { refreshToken: null })));

    // Act
    const error = await rejectionOf(usableSecret(deps, tenant, secret));

    // Assess
    expect(error).toBeInstanceOf(OAuthGrantRefusedError);
    expect((error as Error).message).toContain('tenant invite acme');
    expect(oauth.refreshedWith).toHaveLength(0);
  });

  it('lets a token endpoint that did not answer fail retryably, saves nothing and gives the lock back', async () => {
    // Prepare
    const { deps, oauth, secrets, secret, markers } = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    oauth.failWith = new BambooHrUnavailableError('acme', 'the token endpoint did not answer (ETIMEDOUT)');

    // Act
    const error = await rejectionOf(usableSecret(deps, tenant, secret));

    // Assess
    expect(error).toBeInstanceOf(BambooHrUnavailableError);
    expect((error as BambooHrUnavailableError).retryable).toBe(true);
    expect(secrets.saves).toHaveLength(0);
    expect(markers.items.size).toBe(0);
  });
});

describe('usableSecret: no secret value in any error', () => {
  it('shows no token, key or client secret in any error it throws', async () => {
    // Prepare: every way a refresh can fail
    const refused = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    refused.oauth.failWith = new TokenRefusedError('invalid_grant');
    const noRefreshToken = await setup((clock) => anOAuthSecret(anExpiringGrant(clock, { refreshToken: null })));
    const notConfigured = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    const busy = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    busy.deps.markers = { claim: async () => false, release: async () => {}, renew: async () => {} };
    const gone = await setup((clock) => anOAuthSecret(anExpiringGrant(clock)));
    await gone.secrets.delete('acme');

    // Act
    const errors = await Promise.all([
      rejectionOf(usableSecret(refused.deps, tenant, refused.secret)),
      rejectionOf(usableSecret(refused.deps, tenant, refused.secret, { refused: true })),
      rejectionOf(usableSecret(noRefreshToken.deps, tenant, noRefreshToken.secret)),
      rejectionOf(usableSecret({ ...notConfigured.deps, oauth: null }, tenant, notConfigured.secret)),
      rejectionOf(usableSecret(busy.deps, tenant, busy.secret)),
      rejectionOf(usableSecret(gone.deps, tenant, gone.secret)),
    ]);

    // Assess
    expect(errors).toHaveLength(6);
    expect(busy.oauth.refreshedWith).toHaveLength(0);
    for (const error of errors) {
      const shown = everythingIn(error);
      for (const value of ALL_SECRET_VALUES) expect(shown).not.toContain(value);
    }
  });
});
