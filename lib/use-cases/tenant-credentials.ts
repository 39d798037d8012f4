import { TokenRefusedError } from '../bamboohr/oauth-client.js';
import { OAuthAppRefusedError, OAuthGrantRefusedError, OAuthNotConfiguredError, SecretMissingError } from '../errors.js';
import type { Tenant } from '../model/tenant.js';
import type { BambooHrCredentials, Clock, MarkerStore, OAuthClient, OAuthGrant, OAuthTokens, SecretStore, TenantSecret, VersionedSecret } from '../ports.js';

export interface CredentialDeps {
  secrets: SecretStore;
  clock: Clock;
  /** BambooHR's token endpoint; null when the OAuth app is not configured (API-key tenants only). */
  oauth?: OAuthClient | null;
  /** The refresh lock (one refresh per rotation, whichever Lambda asks). */
  markers?: MarkerStore;
  sleep?: (ms: number) => Promise<void>;
}

/** An access token with less than this left is refreshed before use (BambooHR's SDK does the same). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const LOCK_MS = 60_000;
const ATTEMPTS = 40;

/** Token-endpoint errors about the app itself (its credentials), not about the tenant's grant. */
export const APP_REFUSED: ReadonlySet<string> = new Set(['invalid_client', 'unauthorized_client']);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the BambooHR client authenticates with: the key, or the grant's access token. */
export const credentialsOf = (secret: TenantSecret): BambooHrCredentials =>
  secret.oauth ? { accessToken: secret.oauth.accessToken } : { apiKey: secret.apiKey ?? '' };

/** A grant from what the token endpoint gave; a refresh that returned no new refresh token keeps the old one (no rotation). */
export const grantOf = (tokens: OAuthTokens, previous: Pick<OAuthGrant, 'refreshToken' | 'scopes'> | null, asked: readonly string[]): OAuthGrant => ({
  accessToken: tokens.accessToken,
  refreshToken: tokens.refreshToken ?? previous?.refreshToken ?? null,
  expiresAt: tokens.expiresAt,
  scopes: tokens.scopes ?? previous?.scopes ?? [...asked],
});

const fresh = (grant: OAuthGrant, now: Date): boolean => Date.parse(grant.expiresAt) - now.getTime() > REFRESH_MARGIN_MS;

/**
 * The tenant's secret, ready to use: an API key as it is; an OAuth grant whose access token expires
 * within 5 minutes (or that BambooHR just refused: `refused`) refreshed first.
 *
 * A refresh runs under a lock (a marker, 60 s) so that one rotation happens once, whichever Lambda
 * asks; the others wait and read the result. Refresh tokens rotate: the new pair is saved before the
 * new access token is used, by a compare-and-set on the secret's version (stored pending, then made
 * current). If a worker died between the two, the pending pair is made current instead of refreshing
 * again with a refresh token BambooHR has already spent. A refused refresh (the app disconnected, the
 * refresh token expired) is an OAuthGrantRefusedError: the tenant needs a new connect link.
 */
export const usableSecret = async (
  deps: CredentialDeps,
  tenant: Pick<Tenant, 'tenantId' | 'subdomain'>,
  secret: TenantSecret,
  options: { refused?: boolean } = {},
): Promise<TenantSecret> => {
  if (!secret.oauth) return secret;
  if (!options.refused && fresh(secret.oauth, deps.clock.now())) return secret;
  return refresh(deps, tenant, options.refused ? secret.oauth.accessToken : null);
};

/**
 * The credential to try once more after BambooHR refused `secret`: a grant refreshed (or the one
 * another Lambda just got); for a key, the secret read again uncached, if support replaced it
 * meanwhile (a cached one may be stale), ready to use. Null: there is no other credential to try.
 */
export const credentialAfterRefusal = async (deps: CredentialDeps, tenant: Pick<Tenant, 'tenantId' | 'subdomain'>, secret: TenantSecret): Promise<TenantSecret | null> => {
  if (secret.oauth) return usableSecret(deps, tenant, secret, { refused: true });
  const fresh = await deps.secrets.get(tenant.tenantId, { fresh: true });
  if (!fresh || (fresh.apiKey === secret.apiKey && !fresh.oauth)) return null;
  return usableSecret(deps, tenant, fresh);
};

const refresh = async (deps: CredentialDeps, tenant: Pick<Tenant, 'tenantId' | 'subdomain'>, refusedToken: string | null): Promise<TenantSecret> => {
  const { tenantId, subdomain } = tenant;
  if (!deps.oauth || !deps.markers) throw new OAuthNotConfiguredError('no token endpoint in this process');
  const sleep = deps.sleep ?? defaultSleep;
  const lock = `oauth-refresh#${tenantId}`;
  const usable = (s: TenantSecret | undefined) => s && (!s.oauth || (fresh(s.oauth, deps.clock.now()) && s.oauth.accessToken !== refusedToken));
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    if (!(await deps.markers.claim(lock, new Date(deps.clock.now().getTime() + LOCK_MS)))) {
      // Another Lambda is refreshing: wait for its result rather than spend the refresh token twice.
      await sleep(250 + Math.min(attempt, 8) * 250);
      const current = await deps.secrets.getVersioned(tenantId);
      if (usable(current?.secret)) return current!.secret;
      continue;
    }
    try {
      const current = await deps.secrets.getVersioned(tenantId);
      if (!current) throw new SecretMissingError(tenantId);
      const grant = current.secret.oauth;
      if (!grant) return current.secret; // reconnected with an API key meanwhile
      // A refreshed grant saved but never made current (a worker died in between): it is the one.
      if (current.pending?.secret.oauth) {
        const promoted = await deps.secrets.replaceIfCurrent(tenantId, current.pending.secret, current.version);
        // Made current; if its access token has expired since (the worker died long ago), it is refreshed next, with its own refresh token.
        if (promoted && usable(current.pending.secret)) return current.pending.secret;
        continue;
      }
      if (usable(current.secret)) return current.secret; // refreshed by someone else meanwhile
      if (!grant.refreshToken) throw new OAuthGrantRefusedError(tenantId, subdomain);
      let tokens: OAuthTokens;
      try {
        tokens = await deps.oauth.refresh({ subdomain, refreshToken: grant.refreshToken });
      } catch (error) {
        if (error instanceof TokenRefusedError && APP_REFUSED.has(error.error)) throw new OAuthAppRefusedError(error.error);
        if (error instanceof TokenRefusedError) throw new OAuthGrantRefusedError(tenantId, subdomain);
        throw error;
      }
      const rotated = grantOf(tokens, grant, grant.scopes);
      const next: TenantSecret = { ...current.secret, oauth: rotated };
      // Saved (compare-and-set) before the new access token is used.
      if (await deps.secrets.replaceIfCurrent(tenantId, next, current.version)) return next;
      // Another save came first. If it still holds the grant just refreshed (support changed the
      // webhook key meanwhile), BambooHR has spent that refresh token: the new grant goes into it.
      const merged = await mergeRotation(deps, tenantId, grant, rotated);
      if (merged) return merged;
      // Otherwise it is another connection (support reconnected the tenant): read again.
    } finally {
      await deps.markers.release(lock);
    }
  }
  throw new Error(`Could not refresh the BambooHR connection of '${tenantId}': another refresh kept it busy. The job is retried.`);
};

/**
 * A change to a tenant's secret as it is now, by compare-and-set, read again after each save that
 * came first (at most 10 times): `change` gets the current secret (null: none) and gives the one to
 * save, or null to save nothing. The saved secret; null when `change` declined; `busy` when other
 * saves kept coming first.
 */
export const amendSecret = async (
  secrets: Pick<SecretStore, 'getVersioned' | 'replaceIfCurrent'>,
  tenantId: string,
  change: (current: VersionedSecret | null) => TenantSecret | null,
): Promise<TenantSecret | null | 'busy'> => {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const current = await secrets.getVersioned(tenantId);
    const next = change(current);
    if (!next || !current) return null;
    if (await secrets.replaceIfCurrent(tenantId, next, current.version)) return next;
  }
  return 'busy';
};

/**
 * A rotation whose compare-and-set lost to a save that kept the old grant (a webhook key change):
 * the rotated grant merged into what is current, as long as that still holds the old grant (null:
 * another connection replaced it).
 */
const mergeRotation = async (deps: CredentialDeps, tenantId: string, spent: OAuthGrant, rotated: OAuthGrant): Promise<TenantSecret | null> => {
  const merged = await amendSecret(deps.secrets, tenantId, (current) => {
    const grant = current?.secret.oauth;
    if (!grant || grant.refreshToken !== spent.refreshToken || grant.accessToken !== spent.accessToken) return null;
    return { ...current.secret, oauth: rotated };
  });
  return merged === 'busy' ? null : merged;
};
