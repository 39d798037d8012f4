import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../../lib/adapters/file-secret-store.js';

describe('FileSecretStore', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'bamboohr-sync-secrets-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps secrets in a 0600 file in a 0700 directory', async () => {
    // Prepare
    const path = join(root, '.local', 'secrets.json');
    const secrets = new FileSecretStore({ path });

    // Act
    await Promise.all([
      secrets.put('acme', { apiKey: 'key-a', webhookPrivateKey: null }),
      secrets.put('globex', { apiKey: 'key-g', webhookPrivateKey: 'whk' }),
    ]);
    await secrets.delete('acme');

    // Assess
    expect(await secrets.get('acme')).toBeNull();
    expect(await secrets.get('globex')).toEqual({ apiKey: 'key-g', webhookPrivateKey: 'whk' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, '.local'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ globex: { apiKey: 'key-g', webhookPrivateKey: 'whk' } });
  });

  it('returns null when there is no file yet', async () => {
    // Prepare
    const secrets = new FileSecretStore({ path: join(root, 'missing.json') });

    // Act
    const secret = await secrets.get('acme');

    // Assess
    expect(secret).toBeNull();
  });

  it('does not quote a broken file in its error', async () => {
    // Prepare
    const path = join(root, 'secrets.json');
    await writeFile(path, '{"acme": {"apiKey": "very-secret-key", ', { mode: 0o600 });
    const secrets = new FileSecretStore({ path });

    // Act
    const act = secrets.get('acme');

    // Assess
    await expect(act).rejects.toThrow(/not valid JSON/);
    await expect(secrets.get('acme')).rejects.not.toThrow(/very-secret-key/);
  });
});
