import { parseWebhookTimestamp, signWebhook, verifyWebhookSignature } from '../../lib/bamboohr/webhook-signature.js';

// Known-answer vectors computed independently with:
//   printf '%s' "$BODY$TIMESTAMP" | openssl dgst -sha256 -hmac "$KEY"
const BODY = '{"employees":[{"id":"123","action":"Updated"}]}';
const TIMESTAMP = '1700000000';
const KEY = 'whsec-test-key';
const SIGNATURE = 'b8f878fbab87d67670e315d53c6ecc664ec5b1922560a4890d93a79e9391bb39';
const SENT_AT = new Date(1_700_000_000_000);

const verifyInput = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) => ({
  rawBody: BODY,
  timestamp: TIMESTAMP,
  signature: SIGNATURE,
  privateKey: KEY,
  now: new Date(SENT_AT.getTime() + 10_000),
  toleranceSeconds: 300,
  ...overrides,
});

describe('signWebhook', () => {
  it('is the hex HMAC-SHA256 of body + timestamp keyed with the private key', () => {
    // Act
    const signature = signWebhook(BODY, TIMESTAMP, KEY);

    // Assess
    expect(signature).toBe(SIGNATURE);
  });

  it('signs a Buffer body exactly like the same bytes as a string', () => {
    // Act
    const signature = signWebhook(Buffer.from(BODY, 'utf8'), TIMESTAMP, KEY);

    // Assess
    expect(signature).toBe(SIGNATURE);
  });

  it('signs an ISO timestamp as the text received', () => {
    // Act
    const signature = signWebhook('hello', '2024-01-01T00:00:00Z', 'k');

    // Assess
    expect(signature).toBe('e627d5c5c7935f5d56d3141db3c6b22bfbe7376021207eda5c80ee2d40cfaf9f');
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts a valid signature within the tolerance', () => {
    // Act
    const valid = verifyWebhookSignature(verifyInput());

    // Assess
    expect(valid).toBe(true);
  });

  it('accepts an upper-case hex signature', () => {
    // Act
    const valid = verifyWebhookSignature(verifyInput({ signature: SIGNATURE.toUpperCase() }));

    // Assess
    expect(valid).toBe(true);
  });

  it('rejects a signature made with another key', () => {
    // Prepare
    const signature = signWebhook(BODY, TIMESTAMP, 'another-key');

    // Act
    const valid = verifyWebhookSignature(verifyInput({ signature }));

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a tampered body', () => {
    // Act
    const valid = verifyWebhookSignature(verifyInput({ rawBody: BODY.replace('123', '124') }));

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a body whose whitespace changed (the raw bytes are signed, not the JSON)', () => {
    // Prepare
    const reformatted = JSON.stringify(JSON.parse(BODY), null, 2);

    // Act
    const valid = verifyWebhookSignature(verifyInput({ rawBody: reformatted }));

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a timestamp other than the one signed', () => {
    // Act
    const valid = verifyWebhookSignature(verifyInput({ timestamp: '1700000001' }));

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a stale timestamp even with a valid signature', () => {
    // Act
    const valid = verifyWebhookSignature(verifyInput({ now: new Date(SENT_AT.getTime() + 301_000) }));

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a timestamp from the future beyond the tolerance', () => {
    // Act
    const valid = verifyWebhookSignature(verifyInput({ now: new Date(SENT_AT.getTime() - 301_000) }));

    // Assess
    expect(valid).toBe(false);
  });

  it('accepts an ISO timestamp', () => {
    // Prepare
    const timestamp = '2023-11-14T22:13:20Z';
    const signature = signWebhook(BODY, timestamp, KEY);

    // Act
    const valid = verifyWebhookSignature(verifyInput({ timestamp, signature }));

    // Assess
    expect(valid).toBe(true);
  });

  it.each([
    ['signature', { signature: undefined }],
    ['empty signature', { signature: '' }],
    ['timestamp', { timestamp: undefined }],
    ['body', { rawBody: undefined }],
    ['private key', { privateKey: null }],
  ])('rejects a missing %s', (_name, overrides) => {
    // Act
    const valid = verifyWebhookSignature(verifyInput(overrides));

    // Assess
    expect(valid).toBe(false);
  });

  it.each([['not-hex'], [SIGNATURE.slice(0, 63)], [`${SIGNATURE}00`]])('rejects a malformed signature %s', (signature) => {
    // Act
    const valid = verifyWebhookSignature(verifyInput({ signature }));

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects an unreadable timestamp', () => {
    // Prepare
    const signature = signWebhook(BODY, 'yesterday', KEY);

    // Act
    const valid = verifyWebhookSignature(verifyInput({ timestamp: 'yesterday', signature }));

    // Assess
    expect(valid).toBe(false);
  });
});

describe('parseWebhookTimestamp', () => {
  it('reads unix seconds and ISO dates', () => {
    // Act
    const fromSeconds = parseWebhookTimestamp('1700000000');
    const fromIso = parseWebhookTimestamp('2023-11-14T22:13:20Z');

    // Assess
    expect(fromSeconds).toBe(1_700_000_000_000);
    expect(fromIso).toBe(1_700_000_000_000);
  });
});
