import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { z } from 'zod';
import { tenantIdSchema } from '../model/tenant.js';
import type { AgedSecrets, SecretStore, TenantSecret, VersionedSecret } from '../ports.js';
import { rememberTenantSecret } from '../secret-values.js';

export interface SecretsManagerSecretStoreOptions {
  client: SecretsManagerClient;
  /** config.secrets.prefix, e.g. `bamboohr-sync/prod/tenants/`. */
  prefix: string;
  /** config.secrets.cacheSeconds: how long a Lambda container reuses a secret it read. */
  cacheSeconds: number;
  /**
   * `tenant` (default): a tenant's secret, tagged with its id. `connecting`: a credential a customer
   * gave on a connect link that is not complete yet, kept per link (under config.secrets.connectPrefix).
   */
  kind?: 'tenant' | 'connecting';
}

export const oauthGrantSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable(),
  expiresAt: z.string(),
  scopes: z.array(z.string()),
});

/**
 * The JSON stored as the SecretString of a tenant's secret: an API key or an OAuth grant, and the
 * webhook's private key. `replaces` marks a pending version (the version it was saved to replace).
 */
export const storedSecretSchema = z
  .object({
    apiKey: z.string().min(1).nullable().default(null),
    oauth: oauthGrantSchema.nullable().default(null),
    webhookPrivateKey: z.string().min(1).nullable(),
    replaces: z.string().optional(),
  })
  .refine((s) => (s.apiKey === null) !== (s.oauth === null), { message: 'exactly one of apiKey and oauth', path: ['apiKey'] });

export const tenantSecretSchema = storedSecretSchema;

/** The JSON stored: only the credential the tenant has (an API-key tenant's secret reads as it always did). */
export const toStoredJson = (stored: z.infer<typeof storedSecretSchema>): Record<string, unknown> => ({
  ...(stored.apiKey !== null ? { apiKey: stored.apiKey } : {}),
  ...(stored.oauth !== null ? { oauth: stored.oauth } : {}),
  webhookPrivateKey: stored.webhookPrivateKey,
  ...(stored.replaces !== undefined ? { replaces: stored.replaces } : {}),
});

/** The secret as the service uses it (no storage bookkeeping). */
export const toTenantSecret = (stored: z.infer<typeof storedSecretSchema>): TenantSecret => ({
  apiKey: stored.apiKey,
  ...(stored.oauth ? { oauth: stored.oauth } : {}),
  webhookPrivateKey: stored.webhookPrivateKey,
});

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

/**
 * Tenant secrets (`{apiKey, webhookPrivateKey}`) in Secrets Manager, one secret per tenant named
 * `${prefix}${tenantId}` and tagged with the tenant id. Reads go through Powertools' SecretsProvider,
 * cached for `cacheSeconds`; a write or delete in this container makes the next read fetch again.
 * No error raised here ever carries a secret value: errors that could (a malformed SecretString)
 * are replaced by ones that name only the tenant and the problem.
 */
export class SecretsManagerSecretStore implements SecretStore, AgedSecrets {
  private readonly client: SecretsManagerClient;
  private readonly prefix: string;
  private readonly cacheSeconds: number;
  private readonly kind: 'tenant' | 'connecting';
  private readonly provider: SecretsProvider;
  /** Tenants whose cached secret is out of date. */
  private readonly stale = new Set<string>();

  constructor(options: SecretsManagerSecretStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.cacheSeconds = options.cacheSeconds;
    this.kind = options.kind ?? 'tenant';
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
    return rememberTenantSecret(toTenantSecret(parsed.data));
  }

  async getVersioned(tenantId: string): Promise<VersionedSecret | null> {
    const name = this.secretName(tenantId);
    const read = async (stage: 'AWSCURRENT' | 'AWSPENDING') => {
      try {
        const output = await this.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: stage }));
        const parsed = storedSecretSchema.safeParse(JSON.parse(output.SecretString ?? 'null'));
        if (!parsed.success) {
          if (stage === 'AWSPENDING') return null;
          throw new Error(`The secret of tenant '${tenantId}' (${name}) is not a tenant secret. Store it again with: bamboohr-sync tenant update ${tenantId} --api-key-stdin`);
        }
        return { stored: parsed.data, version: output.VersionId ?? '' };
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return null;
        if (error instanceof SyntaxError) throw new Error(`The secret of tenant '${tenantId}' (${name}) is not valid JSON.`);
        throw error;
      }
    };
    const current = await read('AWSCURRENT');
    if (!current) return null;
    const pending = await read('AWSPENDING');
    // The cache is not refreshed by this read: a write of this container still makes the next `get` fetch again.
    return {
      secret: rememberTenantSecret(toTenantSecret(current.stored)),
      version: current.version,
      pending:
        pending && pending.version !== current.version && pending.stored.replaces === current.version
          ? { secret: rememberTenantSecret(toTenantSecret(pending.stored)), version: pending.version }
          : null,
    };
  }

  /**
   * A compare-and-set on the secret's current version: the new value is stored as a version staged
   * AWSPENDING (naming the version it replaces), then AWSCURRENT is moved to it from `version`, which
   * Secrets Manager refuses if AWSCURRENT is on another version by then.
   */
  async replaceIfCurrent(tenantId: string, secret: TenantSecret, version: string): Promise<boolean> {
    const name = this.secretName(tenantId);
    const parsed = storedSecretSchema.safeParse({ ...secret, replaces: version });
    if (!parsed.success) throw new Error(`Not storing the secret of tenant '${tenantId}': it needs an API key or an OAuth grant.`);
    rememberTenantSecret(toTenantSecret(parsed.data));
    const newVersion = randomUUID();
    this.stale.add(tenantId);
    await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(toStoredJson(parsed.data)), ClientRequestToken: newVersion, VersionStages: ['AWSPENDING'] }));
    try {
      await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: newVersion, RemoveFromVersionId: version }));
      return true;
    } catch (error) {
      const name_ = errorName(error);
      if (name_ !== 'InvalidParameterException' && name_ !== 'InvalidRequestException') throw error;
      // Refused: AWSCURRENT is on another version (someone saved first), unless it is ours already.
      return (await this.getVersioned(tenantId))?.version === newVersion;
    }
  }

  async put(tenantId: string, secret: TenantSecret): Promise<void> {
    const name = this.secretName(tenantId);
    const parsed = tenantSecretSchema.safeParse(secret);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'value'))].join(', ');
      throw new Error(`Not storing the secret of tenant '${tenantId}': invalid ${fields} (an API key is a non-empty string).`);
    }
    rememberTenantSecret(parsed.data);
    const SecretString = JSON.stringify(toStoredJson(parsed.data));
    this.stale.add(tenantId);
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString,
          ...(this.kind === 'connecting'
            ? { Description: 'BambooHR credential given on a connect link, kept until its access is complete (bamboohr-sync)', Tags: [{ Key: 'connectLink', Value: tenantId }] }
            : { Description: `BambooHR API key of tenant ${tenantId} (bamboohr-sync)`, Tags: [{ Key: 'tenantId', Value: tenantId }] }),
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceExistsException') throw error;
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
    }
  }

  async listChangedBefore(cutoff: Date): Promise<string[]> {
    const keys: string[] = [];
    let nextToken: string | undefined;
    do {
      // The name filter is a case-sensitive prefix match; secrets scheduled for deletion are not listed.
      const page = await this.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [this.prefix] }], MaxResults: 100, NextToken: nextToken }));
      for (const secret of page.SecretList ?? []) {
        const changed = secret.LastChangedDate ?? secret.CreatedDate;
        if (secret.Name?.startsWith(this.prefix) && changed && changed.getTime() < cutoff.getTime()) keys.push(secret.Name.slice(this.prefix.length));
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return keys;
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
