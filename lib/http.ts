import { z } from 'zod';

/** The parts of an API Gateway HTTP API (payload v2) event the handlers use. */
export const httpApiEventSchema = z.object({
  routeKey: z.string().optional(),
  rawPath: z.string().optional(),
  rawQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string().optional()).default({}),
  queryStringParameters: z.record(z.string(), z.string().optional()).optional(),
  pathParameters: z.record(z.string(), z.string().optional()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ http: z.object({ method: z.string(), path: z.string() }).optional() }).loose().optional(),
});
export type HttpApiEvent = z.infer<typeof httpApiEventSchema>;

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The exact bytes that were sent: API Gateway base64-encodes bodies it does not treat as text. */
export const rawBodyOf = (event: Pick<HttpApiEvent, 'body' | 'isBase64Encoded'>): Buffer =>
  event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

export const json = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
