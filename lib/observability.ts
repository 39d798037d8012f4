import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const SECRET_KEYS = /^(authorization|apikey|api_key|password|privatekey|webhookprivatekey|secret|secretstring|username|x-bamboohr-signature)$/i;

/**
 * Never lets a credential reach a log line, whatever object is logged (got options, headers, a
 * secret's JSON): values under credential-like keys are replaced, and Basic auth headers masked.
 */
export const redactSecrets = (key: string, value: unknown): unknown => {
  if (SECRET_KEYS.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string' && /^basic\s+[a-z0-9+/=]+$/i.test(value.trim())) return '[redacted]';
  return value;
};

export const createLogger = (serviceName = 'bamboohr-sync'): Logger =>
  new Logger({ serviceName, jsonReplacerFn: redactSecrets });

export const createMetrics = (serviceName = 'bamboohr-sync'): Metrics =>
  new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'BambooHrSync' });
