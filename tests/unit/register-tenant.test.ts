import { BambooHrAuthError, BambooHrUnknownCompanyError, ExclusionFieldNotFoundError, TenantExistsError, ValidationError, WebhookNotPermittedError } from '../../lib/errors.js';
import { silentLog } from '../../lib/logging.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { registerTenant, type RegisterTenantDeps } from '../../lib/use-cases/register-tenant.js';
import { aJob, aRawRow, aSyncedEntry, anEmployee, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryChangeFeed, InMemoryRunStore, InMemorySecretStore, InMemorySnapshotStore, InMemoryTenantStore, RecordingActivity } from '../helpers/in-memory-ports.js';

const setup = async (source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')])) => {
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  const snapshots = new InMemorySnapshotStore();
  const feed = new InMemoryChangeFeed();
  const runs = new InMemoryRunStore();
  const deps: RegisterTenantDeps = {
    tenants,
    secrets,
    snapshots,
    feed,
    runs,
    clock: new FixedClock(),
    employeeSource: () => source,
    deployment: { publicBaseUrl: async () => 'https://hooks.example.com' },
    activity: new RecordingActivity(),
  };
  return { deps, tenants, secrets, snapshots, source };
};

describe('registerTenant', () => {
  it('saves the tenant and puts the key in the secret store only', async () => {
    // Prepare
    const { deps, tenants, secrets } = await setup();

    // Act
    const result = await registerTenant(deps, { tenantId: 'acme', subdomain: 'https://Acme.bamboohr.com/', apiKey: ` ${FAKE_API_KEY}\n`, exclusionField: 'Skip Elevo Sync' });

    // Assess
    expect(result.tenant).toMatchObject({ tenantId: 'acme', subdomain: 'acme', exclusionField: 'Skip Elevo Sync', exclusionFieldId: '4501', status: 'active' });
    expect(result.access.checklist.every((c) => c.visible)).toBe(true);
    expect(await secrets.get('acme')).toEqual({ apiKey: FAKE_API_KEY, webhookPrivateKey: null });
    expect(JSON.stringify(await tenants.get('acme'))).not.toContain(FAKE_API_KEY);
  });

  it('saves a key that cannot see workEmail, with a warning naming the field as BambooHR shows it', async () => {
    // Prepare
    const { deps, source, tenants } = await setup();
    source.hiddenFields.add('workEmail');

    // Act
    const result = await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, exclusionField: null });

    // Assess
    expect(result.access.checklist.find((c) => c.apiName === 'workEmail')).toEqual({ apiName: 'workEmail', uiName: 'Work Email', visible: false, required: false });
    expect(result.warnings[0]).toContain('Work Email');
    expect(await tenants.get('acme')).not.toBeNull();
  });

  it.each([
    ['a rejected key', new BambooHrAuthError('acme', 401), BambooHrAuthError],
    ['an unknown company', new BambooHrUnknownCompanyError('acme'), BambooHrUnknownCompanyError],
  ])('saves nothing on %s', async (_case, error, type) => {
    // Prepare
    const { deps, source, tenants, secrets } = await setup();
    source.failWith = error;

    // Act
    const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    await expect(act).rejects.toThrow(type);
    expect(tenants.items.size).toBe(0);
    expect(secrets.items.size).toBe(0);
  });

  it('saves nothing when the exclusion field does not exist', async () => {
    // Prepare
    const { deps, tenants } = await setup();

    // Act
    const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, exclusionField: 'no_such_field' });

    // Assess
    await expect(act).rejects.toThrow(ExclusionFieldNotFoundError);
    expect(tenants.items.size).toBe(0);
  });

  it.each([['../x'], ['a.b'], ['a'.repeat(64)], ['ａｃｍｅ'], ['http://evil'], ['https://evil.example.com/'], ['https://acme.bamboohr.com.evil.io/'], ['']])(
    'refuses the subdomain %p before calling BambooHR',
    async (subdomain) => {
      // Prepare
      const { deps, source } = await setup();

      // Act
      const act = registerTenant(deps, { tenantId: 'acme', subdomain, apiKey: FAKE_API_KEY });

      // Assess
      await expect(act).rejects.toThrow(ValidationError);
      expect(source.requestCount).toBe(0);
    },
  );

  it.each([[''], ['   '], ['two words']])('refuses the key %p without echoing it', async (apiKey) => {
    // Prepare
    const { deps } = await setup();

    // Act
    const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey });

    // Assess
    await expect(act).rejects.toThrow(/API key/);
    await expect(act).rejects.not.toThrow(/two words/);
  });

  it.each([["x' OR 1=1"], ['<script>'], ['field"; drop'], ['../secret']])('refuses the exclusion field name %p', async (exclusionField) => {
    // Prepare
    const { deps, source } = await setup();

    // Act
    const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, exclusionField });

    // Assess
    await expect(act).rejects.toThrow(ValidationError);
    expect(source.requestCount).toBe(0);
  });

  it('refuses a tenant id that collides with another', async () => {
    // Prepare
    const { deps, secrets } = await setup();
    await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Act
    const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'other', apiKey: 'another-key' });

    // Assess
    await expect(act).rejects.toThrow(/already exists/);
    expect((await secrets.get('acme'))?.apiKey).toBe(FAKE_API_KEY);
  });

  it('creates the webhook and stores its private key, or carries on when not permitted', async () => {
    // Prepare
    const { deps, source, secrets } = await setup();

    // Act
    const created = await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: 'https://hooks.example.com/webhooks/bamboohr/acme' } });
    source.createWebhook = async () => {
      throw new WebhookNotPermittedError('beta');
    };
    const refused = await registerTenant(deps, { tenantId: 'beta', subdomain: 'beta', apiKey: FAKE_API_KEY, webhook: { createAtUrl: 'https://hooks.example.com/webhooks/bamboohr/beta' } });

    // Assess
    expect(created.webhook).toBe('created');
    expect((await secrets.get('acme'))?.webhookPrivateKey).toBe('webhook-private-key');
    expect(refused.webhook).toBe('not-permitted');
    expect(refused.tenant.webhookEnabled).toBe(false);
    expect(refused.warnings.join()).toContain('may not create webhooks');
  });

  it.each([
    ['not https', 'http://hooks.example.com/webhooks/bamboohr/acme'],
    ['another host', 'https://evil.example.com/webhooks/bamboohr/acme'],
    ["another tenant's path", 'https://hooks.example.com/webhooks/bamboohr/globex'],
    ['another path', 'https://hooks.example.com/somewhere/else'],
  ])('refuses a webhook URL on %s, naming the only one allowed, before calling BambooHR (hardening 16)', async (_case, url) => {
    // Prepare
    const { deps, source } = await setup();

    // Act
    const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: url } });

    // Assess
    await expect(act).rejects.toThrow(ValidationError);
    await expect(act).rejects.toThrow('https://hooks.example.com/webhooks/bamboohr/acme');
    expect(source.requestCount).toBe(0);
  });

  it("creates the webhook at this deployment's own URL for the tenant when none is given (hardening 16)", async () => {
    // Prepare
    const { deps, source } = await setup();
    const created: string[] = [];
    source.createWebhook = async (input) => (created.push(input.url), { id: '1', privateKey: 'pk' });

    // Act
    const result = await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: null } });

    // Assess
    expect(result.webhook).toBe('created');
    expect(created).toEqual(['https://hooks.example.com/webhooks/bamboohr/acme']);
  });

  it('starts a new tenant from nothing, whatever a removed tenant of the same id left behind', async () => {
    // Prepare: a snapshot item written by a sync that outlived its tenant's removal
    const { deps, snapshots } = await setup();
    await snapshots.put('acme', [aSyncedEntry(anEmployee('99'))]);

    // Act
    await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY });

    // Assess
    expect((await snapshots.load('acme')).size).toBe(0);
  });

  describe('registration races (hardening 11)', () => {
    it('registers inactive and activates last: a job arriving while the key is being stored skips the tenant, which ends active', async () => {
      // Prepare: a scheduled job runs exactly while the secret is written
      const { deps, tenants, secrets, snapshots } = await setup();
      const during: Awaited<ReturnType<typeof syncTenant>>[] = [];
      const put = secrets.put.bind(secrets);
      secrets.put = async (tenantId, secret) => {
        const runs = new InMemoryRunStore();
        during.push(
          await syncTenant(
            { tenants, secrets, snapshots, feed: new InMemoryChangeFeed(), runs, clock: new FixedClock(), log: silentLog, activity: new RecordingActivity(), employeeSource: deps.employeeSource },
            aJob(),
          ),
        );
        return put(tenantId, secret);
      };

      // Act
      const result = await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY });

      // Assess
      expect(during.map((r) => r.outcome)).toEqual(['skipped']);
      expect(result.tenant.status).toBe('active');
      expect(await tenants.get('acme')).toMatchObject({ status: 'active', statusReason: null });
    });

    it("fails for an id registered meanwhile by someone else, without touching that tenant's data, key or record", async () => {
      // Prepare: another registration of 'acme' completes between this one's check and its save, and syncs
      const { deps, tenants, secrets, snapshots } = await setup();
      const winner = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: 'winner-key-0123456789' });
      const get = tenants.get.bind(tenants);
      tenants.get = async (id) => (id === 'acme' ? null : get(id)); // the loser's early check saw no tenant
      await winner;
      await snapshots.put('acme', [aSyncedEntry(anEmployee('1'))]);
      const before = await get('acme');

      // Act
      const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'other', apiKey: FAKE_API_KEY });

      // Assess
      await expect(act).rejects.toThrow(TenantExistsError);
      tenants.get = get;
      expect(await tenants.get('acme')).toEqual(before);
      expect((await secrets.get('acme'))?.apiKey).toBe('winner-key-0123456789');
      expect((await snapshots.load('acme')).size).toBe(1);
    });

    it('removes its claim when the key cannot be stored, so that the id can be registered again', async () => {
      // Prepare
      const { deps, tenants, secrets } = await setup();
      secrets.put = async () => {
        throw new Error('Secrets Manager unavailable');
      };

      // Act
      const act = registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY });

      // Assess
      await expect(act).rejects.toThrow('Secrets Manager unavailable');
      expect(await tenants.get('acme')).toBeNull();
    });

    it('deletes the webhook it made in BambooHR when the registration fails after it (the id taken meanwhile, or the key not stored)', async () => {
      // Prepare: two registrations with --create-webhook, one losing the id to another, one failing to store its key
      const raced = await setup();
      const get = raced.tenants.get.bind(raced.tenants);
      await registerTenant(raced.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: 'winner-key-0123456789' });
      raced.tenants.get = async (id) => (id === 'acme' ? null : get(id));
      const unstored = await setup();
      unstored.secrets.put = async () => {
        throw new Error('Secrets Manager unavailable');
      };

      // Act
      const lost = registerTenant(raced.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: null } });
      const failed = registerTenant(unstored.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: null } });

      // Assess: each made one webhook, and none is left
      await expect(lost).rejects.toThrow(TenantExistsError);
      await expect(failed).rejects.toThrow('Secrets Manager unavailable');
      expect(raced.source.deletedWebhooks).toEqual(['1']);
      expect(raced.source.webhooks).toEqual([]);
      expect(unstored.source.deletedWebhooks).toEqual(['1']);
      expect(unstored.source.webhooks).toEqual([]);
    });
  });
});
