import { createLogger, redactSecrets } from '../../lib/observability.js';
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
});
