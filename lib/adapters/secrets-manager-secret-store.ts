import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { z } from 'zod';
import { tenantIdSchema } from '../model/tenant.js';
import type { SecretStore, TenantSecret } from '../ports.js';
import { rememberTenantSecret } from '../secret-values.js';

export interface SecretsManagerSecretStoreOptions {
  client: SecretsManagerClient;
  /** config.secrets.prefix, e.g. `bamboohr-sync/prod/tenants/`. */
  prefix: string;
  /** config.secrets.cacheSeconds: how long a Lambda container reuses a secret it read. */
  cacheSeconds: number;
}

/** The JSON stored as the SecretString of a tenant's secret. */
export const tenantSecretSchema = z.object({
  apiKey: z.string().min(1),
  webhookPrivateKey: z.string().min(1).nullable(),
});

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

/**
 * Tenant secrets (`{apiKey, webhookPrivateKey}`) in Secrets Manager, one secret per tenant named
 * `${prefix}${tenantId}` and tagged with the tenant id. Reads go through Powertools' SecretsProvider,
 * cached for `cacheSeconds`; a write or delete in this container makes the next read fetch again.
 * No error raised here ever carries a secret value: errors that could (a malformed SecretString)
 * are replaced by ones that name only the tenant and the problem.
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly client: SecretsManagerClient;
  private readonly prefix: string;
  private readonly cacheSeconds: number;
  private readonly provider: SecretsProvider;
  /** Tenants whose cached secret is out of date. */
  private readonly stale = new Set<string>();

  constructor(options: SecretsManagerSecretStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.cacheSeconds = options.cacheSeconds;
    this.provider = new SecretsProvider({ awsSdkV3Client: options.client });
  }

  secretName(tenantId: string): string {
    return `${this.prefix}${tenantIdSchema.parse(tenantId)}`;
  }

  async get(tenantId: string, options: { fresh?: boolean } = {}): Promise<TenantSecret | null> {
    const name = this.secretName(tenantId);
    const forceFetch = options.fresh === true || this.stale.has(tenantId);
    let value: unknown;
    try {
      value = await this.provider.get(name, { maxAge: this.cacheSeconds, transform: 'json', throwOnMissing: true, forceFetch });
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return null;
      const cause = error instanceof Error ? error.cause : undefined;
      if (errorName(cause) === 'ResourceNotFoundException') return null;
      if (errorName(error) === 'TransformParameterError') {
        // Its message quotes the JSON parser, which may quote the secret: dropped.
        throw new Error(`The secret of tenant '${tenantId}' (${name}) is not valid JSON. Store it again with: bamboohr-sync tenant update ${tenantId} --api-key-stdin`);
      }
      // An AWS error (access denied, throttling...): its message names the secret, never its value.
      throw new Error(`Could not read the secret of tenant '${tenantId}' (${name}): ${errorName(cause ?? error)}.`, { cause: cause ?? error });
    }
    this.stale.delete(tenantId);
    const parsed = tenantSecretSchema.safeParse(value);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'value'))].join(', ');
      throw new Error(
        `The secret of tenant '${tenantId}' (${name}) does not hold {apiKey, webhookPrivateKey} (problem with: ${fields}). ` +
          `Store it again with: bamboohr-sync tenant update ${tenantId} --api-key-stdin`,
      );
    }
    return rememberTenantSecret(parsed.data);
  }

  async put(tenantId: string, secret: TenantSecret): Promise<void> {
    const name = this.secretName(tenantId);
    const parsed = tenantSecretSchema.safeParse(secret);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'value'))].join(', ');
      throw new Error(`Not storing the secret of tenant '${tenantId}': invalid ${fields} (an API key is a non-empty string).`);
    }
    rememberTenantSecret(parsed.data);
    const SecretString = JSON.stringify(parsed.data);
    this.stale.add(tenantId);
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString,
          Description: `BambooHR API key of tenant ${tenantId} (bamboohr-sync)`,
          Tags: [{ Key: 'tenantId', Value: tenantId }],
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceExistsException') throw error;
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
    }
  }

  async delete(tenantId: string): Promise<void> {
    const name = this.secretName(tenantId);
    this.stale.add(tenantId);
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
  }
}
