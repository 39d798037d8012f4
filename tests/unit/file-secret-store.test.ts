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
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ globex: { apiKey: 'key-g', webhookPrivateKey: 'whk' }, _changedAt: { globex: expect.any(String) } });
  });

  it('lists the secrets last changed before a time, as Secrets Manager would (a file from before lists none)', async () => {
    // Prepare: one secret changed 40 days ago, one today, one from a file that kept no times
    const path = join(root, 'secrets.connecting.json');
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await writeFile(
      path,
      JSON.stringify({ aaaa: { apiKey: 'k1', webhookPrivateKey: null }, bbbb: { apiKey: 'k2', webhookPrivateKey: null }, cccc: { apiKey: 'k3', webhookPrivateKey: null }, _changedAt: { aaaa: old } }),
      { mode: 0o600 },
    );
    const secrets = new FileSecretStore({ path });
    await secrets.put('bbbb', { apiKey: 'k2b', webhookPrivateKey: null });

    // Act
    const listed = await secrets.listChangedBefore(new Date(Date.now() - 31 * 86_400_000));
    await secrets.delete('aaaa');

    // Assess
    expect(listed).toEqual(['aaaa']);
    expect(await secrets.listChangedBefore(new Date(Date.now() + 60_000))).toEqual(['bbbb']);
    expect(JSON.parse(await readFile(path, 'utf8'))._changedAt).toEqual({ bbbb: expect.any(String) });
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
