import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';

export interface SendWebhookInput {
  url: string;
  privateKey: string;
  /** Sent as is when a string (so tests can control every byte), else JSON-serialised. */
  body: unknown;
  /** Unix seconds as a string (BambooHR's style) or an ISO date; default: now, in unix seconds. */
  timestamp?: string;
  /** Extra or overriding headers (e.g. a wrong signature). */
  headers?: Record<string, string>;
}

export interface SendWebhookResult {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** POSTs a webhook signed the way BambooHR signs them (`X-BambooHR-Signature`, `X-BambooHR-Timestamp`). */
export const sendWebhook = async (input: SendWebhookInput): Promise<SendWebhookResult> => {
  const rawBody = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  const timestamp = input.timestamp ?? String(Math.floor(Date.now() / 1000));
  const response = await fetch(input.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'BambooHR-Webhooks (simulator)',
      'x-bamboohr-timestamp': timestamp,
      'x-bamboohr-signature': signWebhook(rawBody, timestamp, input.privateKey),
      ...input.headers,
    },
    body: rawBody,
  });
  return {
    status: response.status,
    body: await response.text(),
    headers: Object.fromEntries(response.headers.entries()),
  };
};
