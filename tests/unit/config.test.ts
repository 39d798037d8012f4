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

  it("refuses a connect-link prefix that overlaps the tenants' secrets (the scheduler deletes old secrets under it)", () => {
    // Act
    const inside = () => loadConfig({ STAGE: 'prod', CONNECT_SECRET_PREFIX: 'bamboohr-sync/prod/tenants/connect/' });
    const around = () => loadConfig({ STAGE: 'prod', CONNECT_SECRET_PREFIX: 'bamboohr-sync/prod/' });
    const apart = loadConfig({ STAGE: 'prod', CONNECT_SECRET_PREFIX: 'bamboohr-sync/prod/links/' });

    // Assess
    for (const act of [inside, around]) {
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(/CONNECT_SECRET_PREFIX .* and SECRET_PREFIX .* overlap/);
    }
    expect(apart.secrets).toMatchObject({ prefix: 'bamboohr-sync/prod/tenants/', connectPrefix: 'bamboohr-sync/prod/links/' });
  });

  it('refuses an empty admin or feed token (it would let any request in) rather than running without one', () => {
    // Act
    const admin = () => loadConfig({ STAGE: 'dev', ADMIN_TOKEN: '' });
    const feed = () => loadConfig({ STAGE: 'dev', FEED_TOKEN: '' });

    // Assess
    expect(admin).toThrow(/ADMIN_TOKEN: empty/);
    expect(feed).toThrow(/FEED_TOKEN: empty/);
    expect(loadConfig({ STAGE: 'dev' }).feedToken).toBeUndefined();
  });

  it('names an invalid variable', () => {
    // Act
    const act = () => loadConfig({ BAMBOOHR_API_BASE: 'not a url' });

    // Assess
    expect(act).toThrow(/BAMBOOHR_API_BASE/);
  });

  it.each([
    ['http://api.example.com/api/gateway.php', 'https'],
    ['file:///etc/passwd', 'https'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://[fe80::1]/x', 'link-local'],
    ['https://0.0.0.0/x', 'unspecified'],
  ])('refuses the unsafe BambooHR address %s (hardening 16)', (base, why) => {
    // Act
    const act = () => loadConfig({ BAMBOOHR_API_BASE: base });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(new RegExp(`BAMBOOHR_API_BASE.*${why}`));
  });

  it.each([['https://api.bamboohr.com/api/gateway.php'], ['http://127.0.0.1:3001/api/gateway.php'], ['http://localhost:3001/api/gateway.php'], ['http://[::1]:3001/x']])(
    'accepts %s (https, or a loopback address for the simulator) (hardening 16)',
    (base) => {
      // Act / Assess
      expect(loadConfig({ BAMBOOHR_API_BASE: base }).bamboohr.apiBase).toBe(base);
    },
  );
});
