import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The repository root (this file is lib/local-stack-info.ts, or bundled one level below the root). */
export const repoRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (existsSync(join(dir, 'serverless.yml'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
};

/**
 * What a running local stack (`npm start`) tells the CLI and the console: where its emulators,
 * secrets file, queues and HTTP gateway are. Written to `.local/stack.json` (mode 0600) at start,
 * removed at exit.
 */
export const localStackInfoSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  stage: z.string(),
  region: z.string(),
  dynamodbEndpoint: z.string(),
  sqsEndpoint: z.string(),
  secretsFile: z.string(),
  queueUrl: z.string(),
  dlqUrl: z.string(),
  gatewayUrl: z.string(),
  adminToken: z.string(),
  /** The change-feed API's own token (absent in a stack.json of an older version). */
  feedToken: z.string().optional(),
  bamboohrApiBase: z.string(),
  /** True when the stack runs the BambooHR simulator (no BAMBOOHR_API_BASE given). */
  simulator: z.boolean(),
  /** BAMBOOHR_COMPANY_URL of the stack (its OAuth pages and OAuth tenants' API), when not BambooHR's. */
  bamboohrCompanyUrl: z.string().optional(),
  /** The simulator's built-in OAuth app (a real app's credentials are kept in the secrets file instead). */
  oauthClient: z.object({ clientId: z.string(), clientSecret: z.string() }).optional(),
});
export type LocalStackInfo = z.infer<typeof localStackInfoSchema>;

export const localStackInfoPath = (root = repoRoot()): string => join(root, '.local', 'stack.json');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running local stack, or null when none runs (no file, a bad file, or its process is gone). */
export const readLocalStackInfo = (path = localStackInfoPath()): LocalStackInfo | null => {
  if (!existsSync(path)) return null;
  try {
    const info = localStackInfoSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    return alive(info.pid) ? info : null;
  } catch {
    return null;
  }
};

/** The environment (for loadConfig) that points the service's code at a running local stack. */
export const localStackEnv = (info: LocalStackInfo): Record<string, string> => ({
  STAGE: info.stage,
  AWS_REGION: info.region,
  DYNAMODB_ENDPOINT: info.dynamodbEndpoint,
  SQS_ENDPOINT: info.sqsEndpoint,
  LOCAL_SECRETS_FILE: info.secretsFile,
  SYNC_QUEUE_URL: info.queueUrl,
  SYNC_DLQ_URL: info.dlqUrl,
  BAMBOOHR_API_BASE: info.bamboohrApiBase,
  ADMIN_TOKEN: info.adminToken,
  ...(info.feedToken ? { FEED_TOKEN: info.feedToken } : {}),
  PUBLIC_BASE_URL: info.gatewayUrl,
  ...(info.bamboohrCompanyUrl ? { BAMBOOHR_COMPANY_URL: info.bamboohrCompanyUrl } : {}),
  ...(info.oauthClient ? { BAMBOOHR_OAUTH_CLIENT_ID: info.oauthClient.clientId, BAMBOOHR_OAUTH_CLIENT_SECRET: info.oauthClient.clientSecret } : {}),
});
