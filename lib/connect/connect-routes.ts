import { BambooHrAuthError, BambooHrUnknownCompanyError, ConfigError, errorMessage, OAuthAppRefusedError, OAuthNotConfiguredError, SyncError, ValidationError } from '../errors.js';
import { rawBodyOf, type HttpApiEvent } from '../http.js';
import type { Log } from '../logging.js';
import { scrubSecretValues } from '../secret-values.js';
import {
  checkAgain,
  connectWithKey,
  ConsentDeniedError,
  finishOAuth,
  InviteInvalidError,
  isTokenShaped,
  OAuthStateInvalidError,
  openInvite,
  startOAuth,
  type ConnectDeps,
  type ConnectOutcome,
} from '../use-cases/connect-tenant.js';
import { connectCsp, landingPage, problemPage, resultPage } from './pages.js';

export interface ConnectResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  cookies?: string[];
}

const COOKIE = 'bhs_connect';

/** Where the pages' forms may go besides here: BambooHR's consent page (the OAuth form's redirect). */
export const formTargetsOf = (companyUrl: string): string[] => {
  const sample = new URL(companyUrl.replace('{subdomain}', 'company-placeholder'));
  const host = sample.host.replace('company-placeholder', '*');
  return [`${sample.protocol}//${host}`];
};

/** The path the public address has (a custom domain's base path), or ''. */
const basePathOf = (publicBaseUrl: string): string => {
  try {
    return new URL(publicBaseUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
};

const html = (statusCode: number, body: string, csp: string, extra: { cookies?: string[]; headers?: Record<string, string> } = {}): ConnectResponse => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...extra.headers,
  },
  body,
  ...(extra.cookies ? { cookies: extra.cookies } : {}),
});

const formOf = (event: HttpApiEvent): URLSearchParams => new URLSearchParams(rawBodyOf(event).toString('utf8'));
const cookieOf = (event: HttpApiEvent & { cookies?: string[] }): string | null => {
  const all = [...(event.cookies ?? []), ...(event.headers.cookie ?? '').split(/;\s*/)];
  for (const c of all) {
    if (!c.startsWith(`${COOKIE}=`)) continue;
    // A value that is not valid percent-encoding is not one this page set: no cookie (never a crash).
    try {
      return decodeURIComponent(c.slice(COOKIE.length + 1));
    } catch {
      return null;
    }
  }
  return null;
};

/**
 * The company's address as the page asks for it: `acme.bamboohr.com` (as in the browser's address
 * bar) is the URL `https://acme.bamboohr.com`; parseSubdomain checks it like any other URL.
 */
const addressOf = (input: string | null): string => {
  const value = (input ?? '').trim();
  return /^[A-Za-z0-9.-]+\.bamboohr\.com(?:\/\S*)?$/i.test(value) ? `https://${value}` : value;
};

/**
 * The connect page's routes, public (the token in the path is the credential):
 *   GET  /connect/{token}              the page
 *   GET  /connect/{token}/oauth        to BambooHR's consent page (a cookie keeps which invite)
 *   GET  /oauth/bamboohr/callback      back from BambooHR: the code for a grant, then the connection
 *   POST /connect/{token}/key          a pasted API key
 *   POST /connect/{token}/check        "Check again"
 * Every failure is a page that says what happened and what to do; nothing is saved on one.
 */
export const handleConnect = async (deps: ConnectDeps & { log: Log; publicBaseUrl: string }, event: HttpApiEvent & { cookies?: string[] }): Promise<ConnectResponse> => {
  const csp = connectCsp(formTargetsOf(deps.companyUrl));
  const secure = /^https:/i.test(deps.publicBaseUrl) ? '; Secure' : '';
  const basePath = basePathOf(deps.publicBaseUrl);
  const routeKey = event.routeKey ?? '';
  const token = event.pathParameters?.token ?? '';
  const query = event.queryStringParameters ?? {};
  let submittedKey: string | null = null;
  const page = (outcome: ConnectOutcome) => html(200, resultPage({ ...outcome, basePath }), csp);
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${COOKIE}=${value}; Path=${basePath || '/'}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
  try {
    switch (routeKey) {
      case 'GET /connect/{token}': {
        const { invite } = await openInvite(deps, token);
        const oauthAvailable = await deps.oauthApp().then(
          () => true,
          (error: unknown) => {
            if (error instanceof OAuthNotConfiguredError) return false;
            throw error;
          },
        );
        return html(
          200,
          landingPage({
            basePath,
            token,
            tenantId: invite.tenantId,
            reconnect: invite.mode === 'reconnect',
            exclusionField: invite.exclusionField,
            expiresAt: invite.expiresAt,
            pendingSubdomain: invite.pending?.subdomain ?? null,
            knownSubdomain: invite.mode === 'reconnect' ? ((await deps.tenants.get(invite.tenantId))?.subdomain ?? null) : null,
            oauthAvailable,
          }),
          csp,
        );
      }
      case 'GET /connect/{token}/oauth': {
        const { redirectTo } = await startOAuth(deps, token, addressOf(query.subdomain ?? null));
        return {
          ...html(302, '', csp, { headers: { location: redirectTo } }),
          // Which invite this consent belongs to, kept by this browser only (a state answered elsewhere is refused).
          cookies: [cookie(encodeURIComponent(token), 900)],
        };
      }
      case 'GET /oauth/bamboohr/callback': {
        const outcome = await finishOAuth(deps, { code: query.code, state: query.state, error: query.error }, cookieOf(event));
        return { ...page(outcome), cookies: [cookie('', 0)] };
      }
      case 'POST /connect/{token}/key': {
        const form = formOf(event);
        submittedKey = form.get('apiKey');
        return page(await connectWithKey(deps, token, { subdomain: addressOf(form.get('subdomain')), apiKey: submittedKey ?? '' }));
      }
      case 'POST /connect/{token}/check': {
        return page(await checkAgain(deps, token));
      }
      default:
        return html(404, problemPage('Not found', 'There is no such page.'), csp);
    }
  } catch (error) {
    const clean = (text: string) => {
      const scrubbed = scrubSecretValues(text);
      return submittedKey && submittedKey.trim().length >= 4 ? scrubbed.split(submittedKey.trim()).join('[redacted]') : scrubbed;
    };
    // Back to the connect page: the link's own (from the path, or on the callback the browser's cookie).
    const backToken = token || (routeKey === 'GET /oauth/bamboohr/callback' ? (cookieOf(event) ?? '') : '');
    const back = isTokenShaped(backToken) && !(error instanceof InviteInvalidError) ? { basePath, token: backToken } : undefined;
    if (error instanceof InviteInvalidError) return html(410, problemPage('This link does not work any more', error.message), csp);
    if (error instanceof OAuthStateInvalidError) return html(400, problemPage('This sign-in could not be finished', error.message), csp);
    if (error instanceof ConsentDeniedError) return html(200, problemPage('Not connected', error.message, back), csp);
    if (error instanceof BambooHrAuthError) {
      return html(
        200,
        problemPage('BambooHR did not accept it', 'BambooHR refused this key (or this sign-in): check that you copied the whole key, and that its user is active. Nothing was saved.', back),
        csp,
      );
    }
    if (error instanceof BambooHrUnknownCompanyError) {
      // The error's own text is for support (a command to run): the customer gets theirs.
      return html(
        200,
        problemPage('No such BambooHR company', `BambooHR has no company at ${clean(error.subdomain)}.bamboohr.com. Check the address you sign in at (yourcompany.bamboohr.com). Nothing was saved.`, back),
        csp,
      );
    }
    if (error instanceof ValidationError) return html(400, problemPage('Please check what you entered', clean(error.message), back), csp);
    // The service's own configuration is for its operators (logged), never for the customer's page.
    if (error instanceof OAuthNotConfiguredError || error instanceof OAuthAppRefusedError) {
      deps.log.error('Connect page: OAuth is not configured', { routeKey, error: clean(error.message) });
      return html(503, problemPage('Connecting with BambooHR is not available', 'Signing in with BambooHR is not available right now. Go back and paste an API key instead, or try again later.', back), csp);
    }
    if (error instanceof SyncError && !(error instanceof ConfigError)) return html(error.retryable ? 503 : 400, problemPage('It did not work', clean(error.message), back), csp);
    deps.log.error('Connect page failed', { routeKey, error: clean(errorMessage(error)) });
    return html(500, problemPage('Something went wrong on our side', 'It was logged. Try again in a few minutes; nothing was saved.', back), csp);
  }
};
