import { z } from 'zod';
import {
  AmbiguousEmployeeError,
  BambooHrAuthError,
  BambooHrDataError,
  BambooHrRateLimitedError,
  BambooHrResponseError,
  BambooHrUnavailableError,
  BambooHrUnknownCompanyError,
  ConfirmationRequiredError,
  EmployeeNotFoundError,
  ExclusionFieldNotFoundError,
  RequiredFieldsNotVisibleError,
  SecretMissingError,
  SyncError,
  TenantChangedError,
  TenantExistsError,
  TenantNotFoundError,
  ValidationError,
} from './errors.js';
import type { Log } from './logging.js';

export interface ApiError {
  status: number;
  body: { error: { code: string; message: string; candidates?: unknown[] } };
}

/** Maps a thrown error to `{error: {code, message}}` with a proper status. Never leaks internals. */
export const toApiError = (error: unknown, log?: Log): ApiError => {
  const of = (status: number, code: string, message: string): ApiError => ({ status, body: { error: { code, message } } });
  if (error instanceof z.ZodError) return of(400, 'invalid-input', z.prettifyError(error).slice(0, 1000));
  if (error instanceof ValidationError) return of(400, error.code, error.message);
  if (error instanceof TenantNotFoundError || error instanceof EmployeeNotFoundError) return of(404, error.code, error.message);
  if (error instanceof AmbiguousEmployeeError) return { status: 409, body: { error: { code: error.code, message: error.message, candidates: [...error.candidates] } } };
  if (error instanceof TenantExistsError || error instanceof TenantChangedError || error instanceof ConfirmationRequiredError) {
    return of(409, error.code, error.message);
  }
  if (
    error instanceof BambooHrAuthError ||
    error instanceof BambooHrDataError ||
    error instanceof BambooHrUnknownCompanyError ||
    error instanceof ExclusionFieldNotFoundError ||
    error instanceof RequiredFieldsNotVisibleError ||
    error instanceof SecretMissingError
  ) {
    return of(422, error.code, error.message);
  }
  if (error instanceof BambooHrRateLimitedError) return of(429, error.code, error.message);
  if (error instanceof BambooHrUnavailableError || error instanceof BambooHrResponseError) return of(502, error.code, error.message);
  if (error instanceof SyncError) return of(400, error.code, error.message);
  log?.error('Unexpected error', { error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  return of(500, 'internal', 'Something went wrong on our side; it was logged.');
};
