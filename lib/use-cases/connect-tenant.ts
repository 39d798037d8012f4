import { createHash, randomBytes } from 'node:crypto';
import { TokenRefusedError } from '../bamboohr/oauth-client.js';
import { errorMessage, OAuthGrantRefusedError, OAuthNotConfiguredError, SyncError, TenantChangedError, TenantExistsError, ValidationError } from '../errors.js';
import type { Log } from '../logging.js';
import { parseExclusionField, parseSubdomain, tenantIdSchema } from '../model/tenant.js';
import type { Invite, InviteStore, JobQueue, OAuthClient, OAuthGrant, RunStore, SecretStore, TenantSecret } from '../ports.js';
import { inspectBambooHrAccess, type AccessInspection } from './check-bamboohr-access.js';
import { registerTenant, parseApiKey, type RegisterTenantDeps } from './register-tenant.js';
import { requestSync } from './request-sync.js';
import { APP_REFUSED, credentialsOf, grantOf, usableSecret } from './tenant-credentials.js';
import { updateTenant, type UpdateTenantDeps } from './update-tenant.js';

/** An unknown, expired or used link: one answer for all, so that a link cannot be probed. */
export class InviteInvalidError extends SyncError {
  readonly code = 'invite-invalid';
  readonly retryable = false;
  constructor() {
    super('This connect link is not valid: it has expired, was used already, or was mistyped. Ask your contact at the performance-review product for a new one.');
  }
}

/** The OAuth round trip did not come back as it left (an unknown, used or expired `state`). */
export class OAuthStateInvalidError extends SyncError {
  readonly code = 'oauth-state-invalid';
  readonly retryable = false;
  constructor() {
    super('This sign-in could not be matched to a connect link (it was already used, took too long, or was changed on the way). Open your connect link again and start over.');
  }
}

/** A grant without a refresh token (offline access not approved): it would stop working within the hour. */
export class OfflineAccessMissingError extends SyncError {
  readonly code = 'oauth-offline-access-missing';
  readonly retryable = false;
  constructor() {
    super(
      'BambooHR connected without offline access, so the connection would stop working within the hour; nothing was connected. ' +
        'Open your connect link again and approve every permission asked for (including offline access), or paste an API key instead.',
    );
  }
}

/** Another connection with the same link is being made (another tab), or one died less than CLAIM_MS ago. */
export class ConnectionInProgressError extends SyncError {
  readonly code = 'connect-in-progress';
  readonly retryable = true;
  constructor() {
    super('This link is connecting your BambooHR right now (in another tab or window). Wait a minute, then open the link again to see where it stands.');
  }
}

/** The company's admin said no on BambooHR's consent page. */
export class ConsentDeniedError extends SyncError {
  readonly code = 'consent-denied';
  readonly retryable = false;
  constructor() {
    super('BambooHR says the connection was not approved, so nothing was connected. Open your connect link again and choose Approve, or paste an API key instead.');
  }
}

export type ConnectDeps = RegisterTenantDeps &
  UpdateTenantDeps & {
    invites: InviteStore;
    secrets: SecretStore;
    /** Credentials given on a link whose access is not complete yet, one per link (`connectingKeyOf`), apart from the tenants' secrets. */
    connecting: SecretStore;
    oauth: OAuthClient;
    /** The OAuth app's client id (for the consent URL). */
    oauthApp: () => Promise<{ clientId: string }>;
    /** `https://{subdomain}.bamboohr.com`: BambooHR's consent page is under it. */
    companyUrl: string;
    oauthScopes: readonly string[];
    inviteTtlHours: number;
    log?: Log;
    /** The jobs queue: a connection queues its first sync at once (without it, the schedule runs it). */
    queue?: JobQueue;
    runs: Pick<RunStore, 'get'>;
  };

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
/** Where a link's incomplete credential is kept: 160 bits of its hash (a name no token can be derived from). */
export const connectingKeyOf = (inviteHash: string): string => inviteHash.slice(0, 40);
const newToken = (): string => randomBytes(32).toString('base64url');
/** Tokens are 43 characters of base64url: anything else is not one (and is not looked up). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Whether `text` has the shape of a link's (or a state's) token: anything else is never looked up. */
export const isTokenShaped = (text: string): boolean => TOKEN.test(text);

/** A link lives from 5 minutes to 30 days. */
/** The longest a connect link lasts (from its creation). */
export const MAX_LINK_LIFETIME_HOURS = 24 * 30;
const isLinkLifetime = (hours: number): boolean => hours >= 5 / 60 && hours <= MAX_LINK_LIFETIME_HOURS;
/** A link that can still be used: neither spent nor expired. */
const isOpen = (invite: Invite | null, now: Date): invite is Invite =>
  invite !== null && invite.usedAt === null && Date.parse(invite.expiresAt) > now.getTime();

const STATE_MS = 15 * 60_000;
/** How long a connection holds its link: longer than the connect function may run (29 s). */
export const CLAIM_MS = 2 * 60_000;

/** `--expires 7d` (or 36h, 90m): the link's life in hours, or a ValidationError naming the accepted forms. */
export const parseInviteExpiry = (text: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$/i.exec(text);
  const hours = match ? Number(match[1]) * ({ m: 1 / 60, h: 1, d: 24 } as const)[match[2]!.toLowerCase() as 'm' | 'h' | 'd'] : NaN;
  if (!isLinkLifetime(hours)) throw new ValidationError(`'${text}' is not a link lifetime: give minutes, hours or days from 5m to 30d, e.g. 2h, 7d or 30d.`, 'expires');
  return hours;
};

/** Where BambooHR sends the admin back after consent. */
export const oauthCallbackUrl = (publicBaseUrl: string): string => `${publicBaseUrl}/oauth/bamboohr/callback`;

/**
 * A one-time connect link for a tenant: 256 random bits, stored only as a hash, bound to the tenant,
 * single use, expiring. For an existing tenant it reconnects (a new key or grant); otherwise the
 * customer's connection registers it.
 */
export const createInvite = async (
  deps: Pick<ConnectDeps, 'invites' | 'tenants' | 'clock' | 'deployment' | 'activity' | 'inviteTtlHours'>,
  tenantId: string,
  input: { exclusionField?: string | boolean | null; expiresInHours?: number; actor?: string } = {},
): Promise<{ url: string; expiresAt: string; mode: Invite['mode'] }> => {
  const id = tenantIdSchema.safeParse(tenantId);
  if (!id.success) throw new ValidationError(`'${tenantId}' is not a usable tenant id: use 1-63 lower-case letters, digits and inner hyphens, e.g. 'acme'.`, 'tenantId');
  const hours = input.expiresInHours ?? deps.inviteTtlHours;
  if (!isLinkLifetime(hours)) throw new ValidationError('A connect link lasts from 5 minutes to 30 days: give --expires like 2h, 7d or 30d.', 'expires');
  const existing = await deps.tenants.get(id.data);
  const publicBaseUrl = await deps.deployment.publicBaseUrl();
  const now = deps.clock.now();
  const token = newToken();
  const invite: Invite = {
    tenantId: id.data,
    mode: existing ? 'reconnect' : 'register',
    exclusionField: existing ? existing.exclusionField : parseExclusionField(input.exclusionField ?? null),
    createdBy: input.actor ?? 'unknown',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + hours * 3_600_000).toISOString(),
    usedAt: null,
    pending: null,
  };
  await deps.invites.create(hashOf(token), invite);
  await deps.activity.record({
    tenantId: id.data,
    type: 'invited',
    actor: invite.createdBy,
    message: existing
      ? `A connect link was made for the customer to connect BambooHR again (good until ${invite.expiresAt}, once).`
      : `A connect link was made for the customer to connect their BambooHR (good until ${invite.expiresAt}, once); the tenant appears when they do.`,
    details: { invite: invite.mode, expiresAt: invite.expiresAt, exclusionField: invite.exclusionField },
  });
  return { url: `${publicBaseUrl}/connect/${token}`, expiresAt: invite.expiresAt, mode: invite.mode };
};

/** The invite a token opens, if it is valid now. The same error for unknown, expired and used. */
export const openInvite = async (deps: Pick<ConnectDeps, 'invites' | 'clock'>, token: string): Promise<{ hash: string; invite: Invite }> => {
  if (!TOKEN.test(token)) throw new InviteInvalidError();
  const hash = hashOf(token);
  const invite = await deps.invites.get(hash);
  if (!isOpen(invite, deps.clock.now())) throw new InviteInvalidError();
  return { hash, invite };
};

/** The consent URL on the company's own BambooHR, with a single-use `state` bound to the invite. */
export const startOAuth = async (deps: ConnectDeps, token: string, subdomainInput: string): Promise<{ redirectTo: string }> => {
  const { hash } = await openInvite(deps, token);
  const subdomain = parseSubdomain(subdomainInput);
  const { clientId } = await deps.oauthApp();
  const state = newToken();
  await deps.invites.putState(hashOf(state), { inviteHash: hash, subdomain, expiresAt: new Date(deps.clock.now().getTime() + STATE_MS).toISOString() });
  const url = new URL(`${deps.companyUrl.replace('{subdomain}', encodeURIComponent(subdomain))}/authorize.php`);
  url.search = new URLSearchParams({
    request: 'authorize',
    response_type: 'code',
    client_id: clientId,
    redirect_uri: oauthCallbackUrl(await deps.deployment.publicBaseUrl()),
    scope: deps.oauthScopes.join(' '),
    state,
  }).toString();
  return { redirectTo: url.toString() };
};

export interface ConnectOutcome {
  status: 'connected' | 'incomplete';
  tenantId: string;
  subdomain: string;
  access: AccessInspection;
  /** The registration's (or reconnection's) warnings; none while incomplete. */
  warnings: string[];
  via: 'oauth' | 'api-key';
  exclusionField: string | null;
  /** The invite's token, for the page's "Check again". */
  token: string;
  /**
   * Whether "Check again" can finish it: a new tenant's incomplete credential is kept for it; a
   * reconnect keeps the working one instead, so the customer connects again once access is fixed.
   */
  canCheckAgain: boolean;
  /** Connected, and its first sync queued at once (else the schedule runs it within the hour). */
  syncQueued?: boolean;
}

/**
 * BambooHR's redirect after consent: the code for a grant, then the connection. `token` is the
 * invite the consent was started from, as the browser kept it (a cookie set when it left): a state
 * answered in another browser, or for another invite, is refused.
 */
export const finishOAuth = async (deps: ConnectDeps, query: { code?: string; state?: string; error?: string }, token: string | null): Promise<ConnectOutcome> => {
  if (!query.state || !TOKEN.test(query.state)) throw new OAuthStateInvalidError();
  // Taken only by the browser that started it (its cookie names the invite): one answered elsewhere leaves it for the right one.
  if (!token || !TOKEN.test(token)) throw new OAuthStateInvalidError();
  const state = await deps.invites.takeState(hashOf(query.state), hashOf(token));
  if (!state || Date.parse(state.expiresAt) <= deps.clock.now().getTime()) throw new OAuthStateInvalidError();
  const invite = await deps.invites.get(state.inviteHash);
  if (!isOpen(invite, deps.clock.now())) throw new InviteInvalidError();
  if (query.error) throw new ConsentDeniedError();
  if (!query.code) throw new OAuthStateInvalidError();
  let grant: OAuthGrant;
  try {
    const tokens = await deps.oauth.exchangeCode({ subdomain: state.subdomain, code: query.code, redirectUri: oauthCallbackUrl(await deps.deployment.publicBaseUrl()) });
    grant = grantOf(tokens, null, deps.oauthScopes);
  } catch (error) {
    // BambooHR refusing the app itself is this deployment's problem (its operators'), not the customer's answer.
    if (error instanceof TokenRefusedError && APP_REFUSED.has(error.error)) {
      throw new OAuthNotConfiguredError(`BambooHR refused the app's client id or secret (${error.error}): check the BAMBOOHR_OAUTH_CLIENT secret`);
    }
    if (error instanceof TokenRefusedError) throw new ConsentDeniedError();
    throw error;
  }
  // Without a refresh token the worker could not renew the access token: no tenant on such a grant.
  if (!grant.refreshToken) throw new OfflineAccessMissingError();
  return connect(deps, state.inviteHash, invite, state.subdomain, { oauth: grant }, token);
};

/** The API-key path: the key pasted on the page, checked like `tenant add` checks it. */
export const connectWithKey = async (deps: ConnectDeps, token: string, input: { subdomain: string; apiKey: string }): Promise<ConnectOutcome> => {
  const { hash, invite } = await openInvite(deps, token);
  return connect(deps, hash, invite, parseSubdomain(input.subdomain), { apiKey: parseApiKey(input.apiKey) }, token);
};

/** "Check again": the credential saved when access was not complete, checked again. */
export const checkAgain = async (deps: ConnectDeps, token: string): Promise<ConnectOutcome> => {
  const { hash, invite } = await openInvite(deps, token);
  if (!invite.pending) throw new ValidationError('Nothing to check yet: connect with BambooHR or paste an API key first.', 'invite');
  // Registered meanwhile (by support): the link is done.
  if (invite.mode === 'register' && (await deps.tenants.get(invite.tenantId))) throw new InviteInvalidError();
  const kept = connectingKeyOf(hash);
  const stored = await deps.connecting.get(kept, { fresh: true });
  if (!stored) throw new ValidationError('The connection was not kept: connect with BambooHR or paste an API key again.', 'invite');
  // A grant kept for "Check again" may be hours old (fixing an access level takes time; the link lasts
  // days): its access token is refreshed first (and the rotation saved where it is kept), as any stored grant is before use.
  let secret: TenantSecret;
  try {
    secret = await usableSecret({ ...deps, secrets: deps.connecting }, { tenantId: kept, subdomain: invite.pending.subdomain }, stored);
  } catch (error) {
    if (error instanceof OAuthGrantRefusedError) throw new ValidationError('BambooHR no longer accepts the sign-in kept for this link: connect with BambooHR again.', 'invite');
    throw error;
  }
  return connect(deps, hash, invite, invite.pending.subdomain, secret.oauth ? { oauth: secret.oauth } : { apiKey: secret.apiKey ?? '' }, token);
};

/** A credential given on the page, as a tenant's secret holds it (no webhook yet). */
const secretOf = (credential: { apiKey: string } | { oauth: OAuthGrant }): TenantSecret =>
  'apiKey' in credential ? { apiKey: credential.apiKey, webhookPrivateKey: null } : { apiKey: null, oauth: credential.oauth, webhookPrivateKey: null };

/**
 * The connection: what the credential sees of the company; when a required field or the exclusion
 * box is not visible, the credential is kept (in the tenant's secret) and the page says what to fix;
 * once everything needed is visible, the tenant is registered (or reconnected) exactly as support's
 * `tenant add` (or `tenant update`) would, and the invite is spent.
 */
const connect = async (
  deps: ConnectDeps,
  hash: string,
  invite: Invite,
  subdomain: string,
  credential: { apiKey: string } | { oauth: OAuthGrant },
  token: string,
): Promise<ConnectOutcome> => {
  const via = 'apiKey' in credential ? 'api-key' : 'oauth';
  const existing = await deps.tenants.get(invite.tenantId);
  // Registered meanwhile (by support), or removed since the reconnect link was made: the link is done.
  if ((invite.mode === 'register') === Boolean(existing)) throw new InviteInvalidError();
  // A reconnect connects the same company: another one would replace every person the product has.
  if (existing && existing.subdomain !== subdomain) {
    throw new ValidationError(
      `This link connects the BambooHR company '${existing.subdomain}' again, not '${subdomain}'. Enter ${existing.subdomain}.bamboohr.com; to move to another BambooHR company, ask your contact at the performance-review product.`,
      'subdomain',
    );
  }
  // The tenant's exclusion field as it is now (support may have changed it since the link was made).
  const exclusionField = existing ? existing.exclusionField : invite.exclusionField;
  // Claimed first, for a while: of two tabs connecting at once, one goes on (the other is told to
  // wait). The claim is given up when the attempt ends without connecting (incomplete access, BambooHR
  // down, a webhook refused...) and lapses if this Lambda dies (a timeout), so that the customer can
  // try the same link again; the link is spent once connected.
  const now = deps.clock.now();
  const until = new Date(now.getTime() + CLAIM_MS).toISOString();
  const claim = await deps.invites.claim(hash, now.toISOString(), until);
  if (claim === 'used') throw new InviteInvalidError();
  if (claim === 'busy') throw new ConnectionInProgressError();
  let connected = false;
  try {
    // An unknown company or a refused key throws here (nothing saved).
    // An existing tenant's id goes into BambooHR's errors (their fix is then `tenant update`).
    const known = existing ? { tenantId: invite.tenantId } : {};
    const source = deps.employeeSource({ subdomain, ...credentialsOf(secretOf(credential)), ...known });
    const access = await inspectBambooHrAccess(source, { subdomain, exclusionField, ...known });
    if (access.requiredMissing.length > 0 || access.exclusionMissing !== null) {
      if (invite.mode === 'register') {
        // Registered by support while BambooHR answered: the link is done.
        if (await deps.tenants.get(invite.tenantId)) throw new InviteInvalidError();
        // Kept for "Check again" under this link's own name, never in a tenant's secret.
        await deps.connecting.put(connectingKeyOf(hash), secretOf(credential));
      }
      // (A reconnect keeps the working credential until the new one is complete: it is asked for again.)
      await deps.invites.setPending(hash, invite.mode === 'register' ? { subdomain, via } : null);
      return { status: 'incomplete', tenantId: invite.tenantId, subdomain, access, warnings: [], via, exclusionField, token, canCheckAgain: invite.mode === 'register' };
    }
    const outcome = await completeConnection(deps, invite, subdomain, credential, via);
    connected = true;
    // The first sync (or the first with the new connection) now, not at the tenant's slot of the hour;
    // should it not be queued, the schedule runs it.
    const syncQueued = deps.queue
      ? await requestSync({ ...deps, queue: deps.queue }, invite.tenantId, { actor: 'customer (connect link)' }).then(
          () => true,
          (error: unknown) => {
            deps.log?.warn('First sync after connecting not queued (the schedule runs it)', { tenantId: invite.tenantId, error: errorMessage(error) });
            return false;
          },
        )
      : false;
    return { status: 'connected', tenantId: invite.tenantId, subdomain, access, warnings: outcome.warnings, via, exclusionField, token, canCheckAgain: false, syncQueued };
  } finally {
    // Neither may turn a connection into a failure, nor hide why an attempt failed: a claim not given
    // up lapses on its own; a link not spent after connecting is logged (a register link is done anyway,
    // its tenant existing; a reconnect link would connect the same company once more until it expires).
    if (connected) {
      await deps.invites.spend(hash, deps.clock.now().toISOString()).catch(async () => deps.invites.spend(hash, deps.clock.now().toISOString())).catch((error: unknown) => {
        deps.log?.warn('Connect link not spent after connecting', { tenantId: invite.tenantId, error: errorMessage(error) });
      });
      if (invite.pending) {
        await deps.connecting.delete(connectingKeyOf(hash)).catch((error: unknown) => {
          deps.log?.warn('Credential kept for a connect link not deleted after connecting', { tenantId: invite.tenantId, error: errorMessage(error) });
        });
      }
    } else {
      await deps.invites.release(hash, until).catch((error: unknown) => {
        deps.log?.warn('Connect link claim not given up (it lapses on its own)', { tenantId: invite.tenantId, error: errorMessage(error) });
      });
    }
  }
};

/** The tenant registered (or reconnected) exactly as support's `tenant add` (or `tenant update`) would. */
const completeConnection = async (
  deps: ConnectDeps,
  invite: Invite,
  subdomain: string,
  credential: { apiKey: string } | { oauth: OAuthGrant },
  via: ConnectOutcome['via'],
): Promise<{ warnings: string[] }> => {
  const how = via === 'oauth' ? 'by the customer through a connect link, with OAuth' : 'by the customer through a connect link, with an API key';
  const actor = `customer (connect link from ${invite.createdBy})`;
  if (invite.mode === 'register') {
    try {
      const result = await registerTenant(deps, {
        tenantId: invite.tenantId,
        subdomain,
        ...credential,
        exclusionField: invite.exclusionField,
        webhook: { createAtUrl: null },
        actor,
        via: how,
      });
      return { warnings: result.warnings };
    } catch (error) {
      // Support registered the id while BambooHR answered: the link is done (support's own advice is not the customer's).
      const taken = error instanceof TenantExistsError || (error instanceof ValidationError && error.field === 'tenantId');
      if (taken && (await deps.tenants.get(invite.tenantId))) throw new InviteInvalidError();
      throw error;
    }
  }
  const reconnect = async () => {
    // A webhook the tenant has keeps working (BambooHR signs with its own key; a key stored by an
    // attempt that failed after creating one counts too): a second would send every change twice.
    const existing = await deps.tenants.get(invite.tenantId);
    const stored = await deps.secrets.get(invite.tenantId, { fresh: true });
    const hasWebhook = Boolean(existing?.webhookEnabled || stored?.webhookPrivateKey);
    return updateTenant(deps, invite.tenantId, {
      subdomain,
      ...credential,
      ...(hasWebhook ? {} : { webhook: { createAtUrl: null } }),
      actor,
      via: how,
    });
  };
  try {
    return { warnings: (await reconnect()).warnings };
  } catch (error) {
    // A sync changed the tenant's status while BambooHR answered: once more, on the tenant as it is now.
    if (!(error instanceof TenantChangedError)) throw error;
    return { warnings: (await reconnect()).warnings };
  }
};
