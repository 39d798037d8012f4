import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { tenantIdSchema } from '../model/tenant.js';
import type { AgedSecrets, SecretStore, TenantSecret, VersionedSecret } from '../ports.js';
import { rememberTenantSecret } from '../secret-values.js';
import { storedSecretSchema, toStoredJson, toTenantSecret } from './secrets-manager-secret-store.js';

export interface FileSecretStoreOptions {
  /** config.secrets.localFile, e.g. `.local/secrets.json`. */
  path: string;
}

type Stored = z.infer<typeof storedSecretSchema>;
/** The OAuth app's credentials, kept in the same file (under a key no tenant id can be). */
const OAUTH_CLIENT_KEY = '_oauthClient';
/** When each secret last changed (as Secrets Manager's LastChangedDate), under a key no tenant id can be. */
const CHANGED_AT_KEY = '_changedAt';
const changedAtSchema = z.record(z.string(), z.iso.datetime());
const oauthClientSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });
export type LocalOAuthClient = z.infer<typeof oauthClientSchema>;
interface FileContent {
  secrets: Record<string, Stored>;
  oauthClient?: LocalOAuthClient;
  /** Secrets stored before the file kept this have none (and are never listed as old). */
  changedAt: Record<string, string>;
}
const fileSchema = z.record(z.string(), storedSecretSchema);

/** A secret's version here: the hash of what is stored (a write in one step needs no pending version). */
const versionOf = (stored: Stored): string => createHash('sha256').update(JSON.stringify(toStoredJson(stored))).digest('hex').slice(0, 16);

/**
 * Tenant secrets for the local stack: one JSON file `{tenantId: {apiKey | oauth, webhookPrivateKey}}`,
 * readable by its owner only (file 0600 in a 0700 directory). Writes go to a temporary file that
 * is renamed over the old one, so that a crash never leaves half a file. Not for production.
 */
export class FileSecretStore implements SecretStore, AgedSecrets {
  private readonly path: string;
  /** Serialises this process's read-modify-write cycles. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileSecretStoreOptions) {
    this.path = options.path;
  }

  async get(tenantId: string): Promise<TenantSecret | null> {
    tenantIdSchema.parse(tenantId);
    const stored = (await this.read()).secrets[tenantId];
    return rememberTenantSecret(stored ? toTenantSecret(stored) : null);
  }

  async getVersioned(tenantId: string): Promise<VersionedSecret | null> {
    tenantIdSchema.parse(tenantId);
    const stored = (await this.read()).secrets[tenantId];
    if (!stored) return null;
    return { secret: rememberTenantSecret(toTenantSecret(stored)), version: versionOf(stored), pending: null };
  }

  async replaceIfCurrent(tenantId: string, secret: TenantSecret, version: string): Promise<boolean> {
    tenantIdSchema.parse(tenantId);
    const parsed = storedSecretSchema.safeParse({ ...secret, replaces: version });
    if (!parsed.success) throw new Error(`Not storing the secret of tenant '${tenantId}': it needs an API key or an OAuth grant.`);
    rememberTenantSecret(toTenantSecret(parsed.data));
    let replaced = false;
    await this.update((content) => {
      const current = content.secrets[tenantId];
      if (!current || versionOf(current) !== version) return;
      const { replaces: _replaces, ...value } = parsed.data;
      content.secrets[tenantId] = value as Stored;
      content.changedAt[tenantId] = new Date().toISOString();
      replaced = true;
    });
    return replaced;
  }

  put(tenantId: string, secret: TenantSecret): Promise<void> {
    tenantIdSchema.parse(tenantId);
    const parsed = storedSecretSchema.safeParse(secret);
    if (!parsed.success) return Promise.reject(new Error(`Not storing the secret of tenant '${tenantId}': it needs a non-empty apiKey or an OAuth grant.`));
    rememberTenantSecret(toTenantSecret(parsed.data));
    return this.update((content) => {
      content.secrets[tenantId] = parsed.data;
      content.changedAt[tenantId] = new Date().toISOString();
    });
  }

  delete(tenantId: string): Promise<void> {
    return this.update((content) => {
      delete content.secrets[tenantId];
      delete content.changedAt[tenantId];
    });
  }

  async listChangedBefore(cutoff: Date): Promise<string[]> {
    const { secrets, changedAt } = await this.read();
    return Object.keys(secrets).filter((key) => changedAt[key] !== undefined && Date.parse(changedAt[key]!) < cutoff.getTime());
  }

  /** The OAuth app's client id and secret kept here by the local stack (BAMBOOHR_OAUTH_CLIENT_ID/_SECRET), if any. */
  async getOAuthClient(): Promise<LocalOAuthClient | null> {
    return (await this.read()).oauthClient ?? null;
  }

  putOAuthClient(client: LocalOAuthClient): Promise<void> {
    const parsed = oauthClientSchema.parse(client);
    return this.update((content) => {
      content.oauthClient = parsed;
    });
  }

  private async read(): Promise<FileContent> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { secrets: {}, changedAt: {} };
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Not the parser's message: it may quote the file, keys and all.
      throw new Error(`${this.path} is not valid JSON. Fix or delete it (it holds the local tenants' API keys).`);
    }
    const { [OAUTH_CLIENT_KEY]: oauthClient, [CHANGED_AT_KEY]: changed, ...tenants } = (typeof json === 'object' && json !== null ? json : { json }) as Record<string, unknown>;
    const parsed = fileSchema.safeParse(tenants);
    if (!parsed.success) throw new Error(`${this.path} does not map tenant ids to {apiKey or oauth, webhookPrivateKey}. Fix or delete it.`);
    const changedAt = changedAtSchema.safeParse(changed ?? {});
    if (!changedAt.success) throw new Error(`${this.path}: its ${CHANGED_AT_KEY} does not map tenant ids to ISO times. Fix or delete that entry.`);
    if (oauthClient === undefined) return { secrets: parsed.data, changedAt: changedAt.data };
    const client = oauthClientSchema.safeParse(oauthClient);
    if (!client.success) throw new Error(`${this.path}: its ${OAUTH_CLIENT_KEY} is not {clientId, clientSecret}. Fix or delete that entry.`);
    return { secrets: parsed.data, oauthClient: client.data, changedAt: changedAt.data };
  }

  private update(change: (content: FileContent) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const content = await this.read();
      change(content);
      await this.write(content);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(content: FileContent): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const json: Record<string, unknown> = Object.fromEntries(Object.entries(content.secrets).map(([id, stored]) => [id, toStoredJson(stored)]));
      if (content.oauthClient) json[OAUTH_CLIENT_KEY] = content.oauthClient;
      const changedAt = Object.fromEntries(Object.entries(content.changedAt).filter(([id]) => content.secrets[id] !== undefined));
      if (Object.keys(changedAt).length > 0) json[CHANGED_AT_KEY] = changedAt;
      await writeFile(temporary, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(temporary, 0o600);
      await rename(temporary, this.path);
      await chmod(this.path, 0o600);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
