import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../../lib/adapters/file-secret-store.js';
import { createLogger, redactSecrets } from '../../lib/observability.js';
import { rememberSecretValue, scrubSecretValues } from '../../lib/secret-values.js';
import { FAKE_API_KEY } from '../helpers/builders.js';

describe('the Powertools logger', () => {
  it("redacts the Authorization header, got's credentials and secret values from any logged object", () => {
    // Prepare
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    const logger = createLogger('test');
    const basic = `Basic ${Buffer.from(`${FAKE_API_KEY}:x`).toString('base64')}`;

    // Act
    try {
      logger.info('a request failed', {
        request: { headers: { Authorization: basic, accept: 'application/json' } },
        gotOptions: { username: FAKE_API_KEY, password: 'x', url: 'https://api.bamboohr.com/api/gateway.php/acme/v1/meta/fields' },
        secret: { apiKey: FAKE_API_KEY, webhookPrivateKey: 'whk-secret' },
        someHeader: basic,
      });
    } finally {
      process.stdout.write = write;
    }

    // Assess
    const output = lines.join('');
    expect(output).toContain('a request failed');
    expect(output).toContain('application/json');
    expect(output).toContain('meta/fields');
    expect(output).not.toContain(FAKE_API_KEY);
    expect(output).not.toContain('whk-secret');
    expect(output).not.toContain(basic);
    expect(redactSecrets('password', 'x')).toBe('[redacted]');
    expect(redactSecrets('tenantId', 'acme')).toBe('acme');
  });

  it('redacts by value too: every secret value the process has read, wherever it appears, and common credential shapes (hardening 15)', () => {
    // Prepare: a key read from the secret store, then quoted where no key name gives it away
    const key = 'tenant-key-8d1e6f0a9b7c';
    rememberSecretValue(key);
    const lines: string[] = [];
    const [write, writeError] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
    process.stdout.write = process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    const logger = createLogger('test');

    // Act
    try {
      logger.error(`BambooHR refused ${key} for acme`, {
        error: new Error(`request to https://api.example.com/x?api_key=${key} failed`, { cause: new Error(`socket closed while sending ${key}`) }),
        url: 'https://acme.bamboohr.com/token.php?code=abc123code&state=s1&client_secret=shh-secret-1',
        headers: { 'x-api-key': 'xak-12345678', 'X-Forwarded-For': '10.0.0.1' },
        detail: 'Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl sent',
        oauth: { access_token: 'at-12345678', refresh_token: 'rt-12345678', token: 'tok-12345678' },
      });
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeError;
    }

    // Assess
    const output = lines.join('');
    expect(output).toContain('BambooHR refused');
    expect(output).toContain('10.0.0.1');
    expect(output).toContain('state=s1');
    expect(output).toContain('socket closed while sending [redacted]'); // the cause is kept, scrubbed
    for (const secret of [key, 'abc123code', 'shh-secret-1', 'xak-12345678', 'eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', 'at-12345678', 'rt-12345678', 'tok-12345678']) {
      expect(output).not.toContain(secret);
    }
  });

  it('remembers the secrets the stores read and write', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'redact-'));
    const store = new FileSecretStore({ path: join(dir, 'secrets.json') });
    await store.put('acme', { apiKey: 'stored-key-31415926', webhookPrivateKey: 'stored-whk-27182818' });

    // Act
    const scrubbed = scrubSecretValues('keys: stored-key-31415926 and stored-whk-27182818');

    // Assess
    expect(scrubbed).toBe('keys: [redacted] and [redacted]');
    rmSync(dir, { recursive: true, force: true });
  });
});
