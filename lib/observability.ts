import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { scrubSecretValues } from './secret-values.js';

const SECRET_KEYS =
  /^(authorization|apikey|api_key|x-api-key|password|privatekey|webhookprivatekey|secret|secretstring|username|x-bamboohr-signature|token|access_?token|refresh_?token|id_?token|client_?secret|clientsecret)$/i;

/**
 * Never lets a credential reach a log line, whatever object is logged (got options, headers, a
 * secret's JSON, an error's message): values under credential-like keys are replaced, and in every
 * string each secret value the process has read, and anything shaped like a credential (a Bearer or
 * Basic header, a token in a URL query), is blanked (see lib/secret-values.ts).
 */
export const redactSecrets = (key: string, value: unknown): unknown => {
  if (SECRET_KEYS.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string') return scrubSecretValues(value);
  if (value instanceof Error) {
    // The cause too (scrubbed in turn by this replacer): what went wrong underneath is often the clue.
    return {
      name: value.name,
      message: scrubSecretValues(value.message),
      ...(value.stack ? { stack: scrubSecretValues(value.stack) } : {}),
      ...(value.cause !== undefined ? { cause: value.cause } : {}),
    };
  }
  return value;
};

export const createLogger = (serviceName = 'bamboohr-sync'): Logger =>
  new Logger({ serviceName, jsonReplacerFn: redactSecrets });

export const createMetrics = (serviceName = 'bamboohr-sync'): Metrics =>
  new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'BambooHrSync' });
