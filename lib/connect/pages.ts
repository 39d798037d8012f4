import { createHash } from 'node:crypto';
import type { AccessInspection } from '../use-cases/check-bamboohr-access.js';
import type { ConnectOutcome } from '../use-cases/connect-tenant.js';

/**
 * The connect page a customer's BambooHR admin opens: plain server-side HTML (no script at all), one
 * inline style sheet allowed by its hash, readable on a phone. Everything dynamic is escaped.
 */
const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6577; --line: #dde1e7; --ok: #17803d; --bad: #b42318; --accent: #2357c6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f5f6f8; }
main { max-width: 40rem; margin: 0 auto; padding: 1.25rem; }
h1 { font-size: 1.45rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.1rem; margin: 1rem 0; }
label { display: block; font-weight: 600; margin: 0.6rem 0 0.25rem; }
input[type=text], input[type=password] { width: 100%; font: inherit; padding: 0.55rem 0.6rem; border: 1px solid #b8c0cc; border-radius: 6px; }
button { font: inherit; font-weight: 600; padding: 0.6rem 1rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; margin-top: 0.8rem; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
.muted { color: var(--muted); font-size: 0.92rem; }
.notice { border-left: 4px solid var(--accent); }
.error { border-left: 4px solid var(--bad); }
.ok { border-left: 4px solid var(--ok); }
ul.checklist { list-style: none; padding: 0; margin: 0.5rem 0; }
ul.checklist li { padding: 0.3rem 0; border-top: 1px solid var(--line); }
ul.checklist li:first-child { border-top: 0; }
.yes { color: var(--ok); font-weight: 700; }
.no { color: var(--bad); font-weight: 700; }
.fix { display: block; color: var(--muted); font-size: 0.9rem; margin-left: 1.4rem; }
`;

/** The page's Content-Security-Policy: no script, this style only, forms only to here and BambooHR. */
export const connectCsp = (formTargets: readonly string[]): string =>
  [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
    "img-src 'self' data:",
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

const layout = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;

const WHAT_IS_SHARED = `<p>Your performance-review product keeps its list of people in step with BambooHR. Connecting lets it <strong>read</strong>, for each employee:
employee number, status, names, work email, hire dates, job title, department, division, location and manager, plus one checkbox that keeps a person out of it.
It never writes to BambooHR, and reads nothing else (no pay, no personal contact details).</p>`;

export interface LandingPageInput {
  /** The path the service is served under (`''`, or a custom domain's base path like `/sync`). */
  basePath: string;
  token: string;
  tenantId: string;
  reconnect: boolean;
  exclusionField: string | null;
  expiresAt: string;
  pendingSubdomain: string | null;
  /** The company a reconnect link connects again (filled in). */
  knownSubdomain?: string | null;
  oauthAvailable: boolean;
  error?: string;
}

/** `/connect/<token>`: what is shared and why, and the two ways to connect. */
export const landingPage = (p: LandingPageInput): string =>
  layout(
    'Connect BambooHR',
    `<h1>Connect your BambooHR</h1>
${p.error ? `<section class="error" role="alert"><p>${escape(p.error)}</p></section>` : ''}
<section class="notice">
${WHAT_IS_SHARED}
<p class="muted">For the product's account <strong>${escape(p.tenantId)}</strong>: if that is not your company, do not connect, and tell whoever sent you this link.</p>
<p class="muted">${p.reconnect ? 'This replaces the connection the product has now.' : 'This link connects one company and works once.'} It is good until ${escape(p.expiresAt.slice(0, 16).replace('T', ' '))} UTC.</p>
</section>
${
  p.pendingSubdomain
    ? `<section><h2>Almost there</h2><p>The connection to <strong>${escape(p.pendingSubdomain)}</strong> is saved, but it cannot see everything yet. Once you have changed the access in BambooHR:</p>
<form method="post" action="${escape(p.basePath)}/connect/${escape(p.token)}/check"><button type="submit">Check again</button></form></section>`
    : ''
}
${
  p.oauthAvailable
    ? `<section><h2>Connect with BambooHR</h2>
<p class="muted">You sign in to BambooHR as an administrator and approve the access. Nothing to copy.</p>
<form method="get" action="${escape(p.basePath)}/connect/${escape(p.token)}/oauth">
<label for="subdomain-oauth">Your BambooHR address</label>
<input type="text" id="subdomain-oauth" name="subdomain" placeholder="yourcompany.bamboohr.com" autocomplete="off" autocapitalize="none" spellcheck="false" required value="${escape(p.pendingSubdomain ?? p.knownSubdomain ?? '')}">
<button type="submit">Connect with BambooHR</button>
</form></section>`
    : ''
}
<section><h2>Or paste an API key</h2>
<p class="muted">Create an API key for a restricted, read-only integration user in BambooHR (its access level decides what it can see), and paste it here. It goes straight to our secure store: never email it.</p>
<form method="post" action="${escape(p.basePath)}/connect/${escape(p.token)}/key">
<label for="subdomain-key">Your BambooHR address</label>
<input type="text" id="subdomain-key" name="subdomain" placeholder="yourcompany.bamboohr.com" autocomplete="off" autocapitalize="none" spellcheck="false" required value="${escape(p.pendingSubdomain ?? p.knownSubdomain ?? '')}">
<label for="api-key">API key</label>
<input type="password" id="api-key" name="apiKey" autocomplete="off" spellcheck="false" required>
<button type="submit" class="secondary">Check and connect</button>
</form></section>
${p.exclusionField ? `<p class="muted">People with the checkbox “${escape(p.exclusionField)}” ticked in BambooHR stay out of the product.</p>` : ''}`,
  );

const FIXES: Record<string, string> = {
  Status: 'Required: without it nobody can be synced. In BambooHR, give the integration user (or the connected admin) access to Status.',
};

const checklistHtml = (access: AccessInspection, exclusionField: string | null): string =>
  `<ul class="checklist" aria-label="What the connection can see">
${access.checklist
  .map(
    (c) =>
      `<li data-field="${escape(c.apiName)}" data-visible="${c.visible}"><span class="${c.visible ? 'yes' : 'no'}" aria-hidden="true">${c.visible ? '✓' : '✗'}</span> ${escape(c.uiName)}${
        c.visible ? '' : `<span class="fix">${escape(FIXES[c.uiName] ?? `Add “${c.uiName}” to the integration user's access level in BambooHR (Settings → Access Levels); until then it is not synced.`)}</span>`
      }</li>`,
  )
  .join('\n')}
${
  exclusionField
    ? `<li data-field="exclusion" data-visible="${access.exclusionMissing === null}"><span class="${access.exclusionMissing === null ? 'yes' : 'no'}" aria-hidden="true">${access.exclusionMissing === null ? '✓' : '✗'}</span> Checkbox “${escape(exclusionField)}”${
        access.exclusionMissing === null
          ? ''
          : `<span class="fix">Required: create a checkbox field named “${escape(exclusionField)}” in BambooHR (Settings → Fields) and let the integration user see it, so that people who asked to stay out can.</span>`
      }</li>`
    : ''
}
</ul>`;

export type ResultPageInput = Pick<ConnectOutcome, 'token' | 'subdomain' | 'status' | 'access' | 'exclusionField' | 'warnings' | 'via' | 'canCheckAgain' | 'syncQueued'> & { basePath: string };

/** After a connection: the live access checklist, and either "connected" or what to fix and "Check again". */
export const resultPage = (p: ResultPageInput): string =>
  layout(
    p.status === 'connected' ? 'BambooHR connected' : 'Almost connected',
    `<h1>${p.status === 'connected' ? 'Your BambooHR is connected' : 'Almost connected'}</h1>
<section class="${p.status === 'connected' ? 'ok' : 'error'}" role="status" data-status="${p.status}">
${
  p.status === 'connected'
    ? `<p><strong>${escape(p.subdomain)}</strong> is connected. The product receives its people ${p.syncQueued ? 'in the next few minutes' : 'within the hour'}, and every change from then on. You can close this page.</p>`
    : `<p>BambooHR accepted the ${p.via === 'oauth' ? 'connection' : 'key'} for <strong>${escape(p.subdomain)}</strong>, but it cannot see everything the product needs. Fix the items marked ✗ in BambooHR, then check again. Nothing is synced until then.</p>`
}
<p class="muted">BambooHR shows ${p.access.employeeCount} employee(s) to this connection.</p>
</section>
<section><h2>What the connection can see</h2>
${checklistHtml(p.access, p.exclusionField)}
${
  p.status !== 'incomplete'
    ? ''
    : p.canCheckAgain
      ? `<form method="post" action="${escape(p.basePath)}/connect/${escape(p.token)}/check"><button type="submit">Check again</button></form>`
      : `<p>The current connection keeps working meanwhile. Once the access is fixed, <a href="${escape(p.basePath)}/connect/${escape(p.token)}">connect again with this link</a>.</p>`
}
</section>
${p.warnings.length > 0 ? `<section><h2>Good to know</h2><ul>${p.warnings.map((w) => `<li>${escape(w)}</li>`).join('')}</ul></section>` : ''}`,
  );

/** A problem: what happened and what to do. */
export const problemPage = (title: string, message: string, back?: { basePath: string; token: string }): string =>
  layout(
    title,
    `<h1>${escape(title)}</h1>
<section class="error" role="alert"><p>${escape(message)}</p></section>
${back ? `<p><a href="${escape(back.basePath)}/connect/${escape(back.token)}">Back to the connect page</a></p>` : ''}`,
  );
