import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

describe('loadConfig', () => {
  it('derives table names and the secret prefix from the stage', () => {
    // Prepare
    const env = { STAGE: 'prod' };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.tables.tenants).toBe('bamboohr-sync-prod-tenants');
    expect(config.secrets.prefix).toBe('bamboohr-sync/prod/tenants/');
    expect(config.bamboohr.apiBase).toBe('https://api.bamboohr.com/api/gateway.php');
  });

  it('fails fast naming a missing required variable', () => {
    // Prepare
    const env = { STAGE: 'dev' };

    // Act
    const act = () => loadConfig(env, ['SYNC_QUEUE_URL']);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/SYNC_QUEUE_URL/);
  });

  it('names an invalid variable', () => {
    // Act
    const act = () => loadConfig({ BAMBOOHR_API_BASE: 'not a url' });

    // Assess
    expect(act).toThrow(/BAMBOOHR_API_BASE/);
  });
});
