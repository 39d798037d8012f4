/** Small HTTP pieces shared by the simulator's API and its OAuth endpoints. */

/** An answer before it is written: handlers stay pure, so faults can still cut or replace it. */
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const ERROR_HEADER = 'x-bamboohr-error-message';

/** Escapes text for XML; the same escaping is safe in HTML text and quoted attributes. */
export const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

export const errorResponse = (status: number, message: string, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', [ERROR_HEADER]: message, ...headers },
  body: `<html><body><h1>${status}</h1><p>${escapeXml(message)}</p></body></html>`,
});

export const parseBasicAuth = (header: string | undefined): { user: string; password: string } | null => {
  if (!header || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
};

export const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};


export const parseBearerAuth = (header: string | undefined): string | null => {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
};

/** The parsed JSON, or undefined when the text is not JSON. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** The media type without its parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
