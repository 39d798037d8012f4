import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { tenantIdSchema } from '../model/tenant.js';
import type { SecretStore, TenantSecret } from '../ports.js';
import { rememberTenantSecret } from '../secret-values.js';
import { tenantSecretSchema } from './secrets-manager-secret-store.js';

export interface FileSecretStoreOptions {
  /** config.secrets.localFile, e.g. `.local/secrets.json`. */
  path: string;
}

const fileSchema = z.record(z.string(), tenantSecretSchema);

/**
 * Tenant secrets for the local stack: one JSON file `{tenantId: {apiKey, webhookPrivateKey}}`,
 * readable by its owner only (file 0600 in a 0700 directory). Writes go to a temporary file that
 * is renamed over the old one, so that a crash never leaves half a file. Not for production.
 */
export class FileSecretStore implements SecretStore {
  private readonly path: string;
  /** Serialises this process's read-modify-write cycles. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileSecretStoreOptions) {
    this.path = options.path;
  }

  async get(tenantId: string): Promise<TenantSecret | null> {
    tenantIdSchema.parse(tenantId);
    return rememberTenantSecret((await this.read())[tenantId] ?? null);
  }

  put(tenantId: string, secret: TenantSecret): Promise<void> {
    tenantIdSchema.parse(tenantId);
    const parsed = tenantSecretSchema.safeParse(secret);
    if (!parsed.success) return Promise.reject(new Error(`Not storing the secret of tenant '${tenantId}': it needs a non-empty apiKey.`));
    rememberTenantSecret(parsed.data);
    return this.update((secrets) => {
      secrets[tenantId] = parsed.data;
    });
  }

  delete(tenantId: string): Promise<void> {
    return this.update((secrets) => {
      delete secrets[tenantId];
    });
  }

  private async read(): Promise<Record<string, TenantSecret>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Not the parser's message: it may quote the file, keys and all.
      throw new Error(`${this.path} is not valid JSON. Fix or delete it (it holds the local tenants' API keys).`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${this.path} does not map tenant ids to {apiKey, webhookPrivateKey}. Fix or delete it.`);
    return parsed.data;
  }

  private update(change: (secrets: Record<string, TenantSecret>) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const secrets = await this.read();
      change(secrets);
      await this.write(secrets);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(secrets: Record<string, TenantSecret>): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(temporary, 0o600);
      await rename(temporary, this.path);
      await chmod(this.path, 0o600);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
