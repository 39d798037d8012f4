import { escapeXml, type SimResponse } from './http.js';

export interface ConsentPageInput {
  appName: string;
  subdomain: string;
  scopes: readonly string[];
  /** Where the form posts: the company's `authorize.php`. */
  action: string;
  /** Hidden fields: the authorization request's parameters and the one-time consent token. */
  fields: Record<string, string | undefined>;
}

const hiddenInputs = (fields: ConsentPageInput['fields']): string =>
  Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeXml(name)}" value="${escapeXml(value)}">`)
    .join('\n');

const scopeList = (scopes: readonly string[]): string =>
  scopes.length === 0
    ? '<p id="scopes">No particular access (no scopes requested).</p>'
    : `<ul id="scopes">${scopes.map((scope) => `<li>${escapeXml(scope)}</li>`).join('')}</ul>`;

/**
 * The page a company admin sees before BambooHR hands an app a code. Plain HTML, no scripts and no
 * external resources, so it renders offline and in any test browser.
 */
export const consentPage = (input: ConsentPageInput): SimResponse => {
  const appName = escapeXml(input.appName);
  const company = escapeXml(input.subdomain);
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // A consent page inside someone else's frame is the classic clickjacking target.
      'x-frame-options': 'DENY',
    },
    body: [
      '<!DOCTYPE html>',
      `<html lang="en"><head><meta charset="utf-8"><title>Connect ${appName} to ${company} - BambooHR (simulator)</title></head>`,
      '<body>',
      `<h1>Connect ${appName} to ${company}</h1>`,
      `<p><strong id="app-name">${appName}</strong> wants to access the BambooHR company <strong id="company">${company}</strong>.</p>`,
      '<p>It asks for:</p>',
      scopeList(input.scopes),
      `<form id="consent" method="post" action="${escapeXml(input.action)}">`,
      hiddenInputs(input.fields),
      // Stable ids, names and values: browser tests click `#approve` / `#deny`.
      '<button type="submit" id="approve" name="decision" value="approve">Approve</button>',
      '<button type="submit" id="deny" name="decision" value="deny">Deny</button>',
      '</form>',
      '</body></html>',
    ].join('\n'),
  };
};
