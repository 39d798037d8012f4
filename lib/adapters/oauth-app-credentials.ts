import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { Config } from '../config.js';
import { OAuthNotConfiguredError } from '../errors.js';
import { rememberSecretValue } from '../secret-values.js';

const appSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });
export type OAuthAppCredentials = z.infer<typeof appSchema>;

/**
 * The OAuth app's client id and secret: from the Secrets Manager secret `BAMBOOHR_OAUTH_CLIENT`
 * (`{clientId, clientSecret}`, read again after SECRET_CACHE_SECONDS), or locally from BAMBOOHR_OAUTH_CLIENT_ID
 * and BAMBOOHR_OAUTH_CLIENT_SECRET (tests, the simulator's app) or the local secrets file. The secret is never logged (the logger blanks it).
 */
export const createOAuthAppCredentials = (
  config: Config,
  client: SecretsManagerClient,
  /** Locally: the secrets file, where the local stack keeps the app's credentials. */
  localFile?: { getOAuthClient(): Promise<OAuthAppCredentials | null> },
): (() => Promise<OAuthAppCredentials>) => {
  let loading: Promise<OAuthAppCredentials> | undefined;
  let loadedAt = 0;
  const load = async (): Promise<OAuthAppCredentials> => {
    if (config.oauth.localClient) return config.oauth.localClient;
    if (localFile) {
      const kept = await localFile.getOAuthClient();
      if (kept) return kept;
      throw new OAuthNotConfiguredError(
        'no OAuth app on this local stack (start it with BAMBOOHR_OAUTH_CLIENT_ID and BAMBOOHR_OAUTH_CLIENT_SECRET set to your BambooHR app\'s credentials, once: they are kept in the local secrets file)',
      );
    }
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: config.oauth.clientSecretName }))).SecretString;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new OAuthNotConfiguredError(`no secret '${config.oauth.clientSecretName}' (store {"clientId", "clientSecret"} of the app registered with BambooHR there)`);
      }
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text ?? '');
    } catch {
      throw new OAuthNotConfiguredError(`the secret '${config.oauth.clientSecretName}' is not JSON`);
    }
    const parsed = appSchema.safeParse(json);
    if (!parsed.success) throw new OAuthNotConfiguredError(`the secret '${config.oauth.clientSecretName}' does not hold {"clientId", "clientSecret"}`);
    return parsed.data;
  };
  return async () => {
    // Read again after the secrets' cache time: operators who rotate the app's secret are heard without a deploy.
    if (loading && Date.now() - loadedAt > config.secrets.cacheSeconds * 1000) loading = undefined;
    if (!loading) loadedAt = Date.now();
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const credentials = await loading;
    rememberSecretValue(credentials.clientSecret);
    return credentials;
  };
};
