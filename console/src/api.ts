/**
 * The console's API client. The per-launch token comes from the page's URL (`?token=`) and goes
 * with every call as `Authorization: Bearer`. Errors carry the API's `{error: {code, message}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const token = (): string => new URLSearchParams(window.location.search).get('token') ?? '';

export const api = async <T,>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token()}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network', 'The console server does not answer. Is `bamboohr-sync console` still running?');
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'bad-answer', `The console server answered ${response.status} with something that is not JSON.`);
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? `The console server answered ${response.status}.`);
  }
  return parsed as T;
};

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
