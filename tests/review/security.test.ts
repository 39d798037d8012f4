import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

describe('review: BAMBOOHR_API_BASE validation', () => {
  it.each([
    // IPv4-mapped IPv6 forms: the URL parser keeps them as [::ffff:a9fe:a9fe] / [::ffff:0:0], and a
    // dual-stack socket connects to the IPv4 address behind them
    ['https://[::ffff:169.254.169.254]/latest/meta-data', 'link-local'],
    ['https://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/meta-data', 'link-local'],
    ['https://[::ffff:0.0.0.0]/x', 'unspecified'],
  ])('refuses the link-local or unspecified address %s written as an IPv4-mapped IPv6 address', (base) => {
    // Act
    const act = () => loadConfig({ BAMBOOHR_API_BASE: base });

    // Assess: the same refusal as for https://169.254.169.254 and https://0.0.0.0
    expect(act).toThrow(ConfigError);
  });
});
