/**
 * The customer's connect page end to end: headless Chromium (Debian's package) opens a connect link
 * served by the real `connect` function behind the local gateway (its routes read from
 * serverless.yml), connects with OAuth on the BambooHR simulator's consent page or with a pasted API
 * key, and the real worker then syncs the tenant, refreshing and rotating its OAuth grant.
 *
 * Set CONSOLE_SCREENSHOTS=/some/dir to keep screenshots of the main steps.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { functionDefinitions, type LambdaHandler } from '../../dev/local-stack/functions.js';
import { createGateway, type Gateway } from '../../dev/local-stack/gateway.js';
import { REFRESH_MARGIN_MS } from '../../lib/use-cases/tenant-credentials.js';
import { createInvite } from '../../lib/use-cases/connect-tenant.js';
import { requestSync } from '../../lib/use-cases/request-sync.js';
import { launchChromium, type HeadlessChromium } from '../helpers/chromium.js';
import { aLambdaContext, drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

const EXCLUSION = { id: '4501', name: 'skip_elevo_sync' };
const KEY = 'connect-e2e-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
// Shorter than the refresh margin: every run refreshes the grant first, so each one rotates it.
const ACCESS_TOKEN_SECONDS = REFRESH_MARGIN_MS / 1000 - 60;

describe('the connect page in headless Chromium', () => {
  let local: LocalService;
  let gateway: Gateway;
  let base: string;
  let browser: HeadlessChromium;
  let page: Page;
  let worker: WorkerHandler;
  let connectHandler: LambdaHandler | null = null;
  const gatewayErrors: unknown[] = [];
  const screenshot = async (name: string) => {
    const dir = process.env.CONSOLE_SCREENSHOTS;
    if (dir) await page.screenshot({ path: join(dir, `connect-${name}.png`), fullPage: true });
  };
  const invite = (tenantId: string, options: Parameters<typeof createInvite>[2] = {}, deps: Partial<Parameters<typeof createInvite>[0]> = {}) =>
    createInvite({ ...local.deps, ...deps }, tenantId, { exclusionField: true, actor: 'e2e', ...options });
  /** Runs what is queued (the first sync a connection queues): the tenant's latest run. */
  const drain = async (tenantId: string) => {
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    return (await local.deps.runs.list(tenantId, 1))[0]!;
  };
  const syncNow = async (tenantId: string) => {
    await requestSync(local.deps, tenantId, { actor: 'e2e' });
    return drain(tenantId);
  };
  const addCompany = (subdomain: string, hiddenFields: string[] = []) =>
    local.simulator.addCompany({
      subdomain,
      keys: [{ apiKey: KEY, hiddenFields }],
      employees: generateEmployees({ count: 12, seed: subdomain.length, today: '2026-11-25' }),
      exclusionField: { ...EXCLUSION },
    });

  beforeAll(async () => {
    // The gateway first: its address is the deployment's public address (links, OAuth callback).
    const connect = functionDefinitions().find((f) => f.name === 'connect');
    if (!connect) throw new Error('serverless.yml has no connect function');
    gateway = createGateway({
      routes: connect.httpRoutes,
      invoke: async (_route, event) => (connectHandler as LambdaHandler)(event, aLambdaContext('connect')),
      onError: (_route, error) => gatewayErrors.push(error),
    });
    await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
    local = await startLocalService({ simulator: { oauthAccessTokenSeconds: ACCESS_TOKEN_SECONDS }, publicBaseUrl: base });
    connectHandler = (await import('../../functions/connect.js')).handler as never;
    worker = (await import('../../functions/worker.js')).handler as never;
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close(100);
    await local?.stop();
  });

  afterEach(() => {
    expect(gatewayErrors).toEqual([]);
  });

  it('connects a company with OAuth; the worker syncs it, refreshing and rotating the grant, until the company disconnects the app', async () => {
    // Prepare
    const company = addCompany('globex');
    const link = await invite('globex');

    // Act: the customer's admin opens the link, connects, approves on BambooHR
    const opened = await page.goto(link.url);
    await screenshot('landing');
    await page.getByLabel('Your BambooHR address').first().fill('https://globex.bamboohr.com/');
    await page.getByRole('button', { name: 'Connect with BambooHR' }).click();
    await page.locator('#approve').waitFor();
    const consentUrl = new URL(page.url());
    await page.locator('#approve').click();
    await page.getByRole('heading', { name: 'Your BambooHR is connected' }).waitFor();
    await screenshot('connected');
    const connectedText = await page.locator('main').innerText();
    const secretAfterConnect = await local.deps.secrets.get('globex', { fresh: true });
    const first = await drain('globex');
    const afterFirst = await local.deps.secrets.get('globex', { fresh: true });
    const second = await syncNow('globex');
    const afterSecond = await local.deps.secrets.get('globex', { fresh: true });
    const feed = await local.deps.feed.list('globex', 0, 100);
    company.revokeOauth();
    const refused = await syncNow('globex');
    const tenantAfterRevoke = await local.deps.tenants.get('globex');
    const activity = await local.deps.activityLog.list('globex', 20);

    // Assess: the page, the consent request, the tenant and its secret
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(consentUrl.searchParams.get('client_id')).toBe('bamboohr-sync-local');
    expect(consentUrl.searchParams.get('redirect_uri')).toBe(`${base}/oauth/bamboohr/callback`);
    expect(consentUrl.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['offline_access', 'employee', 'report', 'field']));
    expect(connectedText).toContain('globex is connected. The product receives its people in the next few minutes');
    expect(await page.locator('[data-field="exclusion"]').getAttribute('data-visible')).toBe('true');
    expect(await local.deps.tenants.get('globex')).toMatchObject({ subdomain: 'globex', exclusionField: EXCLUSION.name });
    expect(secretAfterConnect?.apiKey ?? null).toBeNull();
    expect(secretAfterConnect?.oauth?.refreshToken).toEqual(expect.any(String));
    // Assess: the first sync (queued by the connection) and the next, each with a refreshed grant saved (the refresh token rotates: reusing one would fail)
    expect(first).toMatchObject({ status: 'succeeded', error: null, requestedBy: 'support' });
    expect(first.counts.created).toBeGreaterThan(0);
    expect(second).toMatchObject({ status: 'succeeded', error: null });
    expect(feed.changes.length).toBeGreaterThan(0);
    expect(new Set([secretAfterConnect?.oauth?.refreshToken, afterFirst?.oauth?.refreshToken, afterSecond?.oauth?.refreshToken]).size).toBe(3);
    expect(company.oauthTokens()).toMatchObject({ refreshTokensUsed: 2, activeRefreshTokens: 0 });
    // Assess: the revoked grant puts the tenant in needs-attention, with the fix
    expect(refused.error).toMatchObject({ code: 'oauth-grant-refused', retryable: false });
    expect(tenantAfterRevoke?.status).toBe('needs-attention');
    expect(tenantAfterRevoke?.statusReason).toContain('bamboohr-sync tenant invite globex');
    expect(activity.map((a) => a.type)).toEqual(expect.arrayContaining(['invited', 'registered', 'needs-attention']));
    expect(local.publishedAlerts().some((a) => a.tenantId === 'globex' && a.type === 'needs-attention')).toBe(true);
    const stored = JSON.stringify([activity, tenantAfterRevoke, await local.deps.runs.list('globex', 10)]);
    expect(stored).not.toContain(afterSecond!.oauth!.refreshToken!);
    expect(stored).not.toContain(afterSecond!.oauth!.accessToken);
  }, 60_000);

  it('reconnects that tenant with a new link, keeping its settings and its feed', async () => {
    // Prepare
    const company = local.simulator.company('globex');
    const before = await local.deps.tenants.get('globex');
    const link = await invite('globex');

    // Act
    await page.goto(link.url);
    const landing = await page.locator('main').innerText();
    await page.getByLabel('Your BambooHR address').first().fill('globex');
    await page.getByRole('button', { name: 'Connect with BambooHR' }).click();
    await page.locator('#approve').click();
    await page.getByRole('heading', { name: 'Your BambooHR is connected' }).waitFor();
    const after = await local.deps.tenants.get('globex');
    const run = await syncNow('globex');

    // Assess
    expect(landing).toContain('This replaces the connection the product has now.');
    expect(after).toMatchObject({ tenantId: 'globex', status: 'active', exclusionField: before!.exclusionField, subdomain: 'globex' });
    expect(run).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ created: 0 }) });
    expect(company.oauthTokens().activeRefreshTokens).toBe(1);
  }, 60_000);

  it('says so when the admin denies consent, and the same link still connects with an API key that first cannot see Status (required) nor Work Email', async () => {
    // Prepare
    const company = addCompany('initech', ['status', 'workEmail']);
    const link = await invite('initech');

    // Act: denied on BambooHR's consent page
    await page.goto(link.url);
    await page.getByLabel('Your BambooHR address').first().fill('initech');
    await page.getByRole('button', { name: 'Connect with BambooHR' }).click();
    await page.locator('#deny').click();
    await page.getByRole('alert').waitFor();
    const deniedText = await page.locator('main').innerText();
    await screenshot('denied');
    // Act: back to the link, the API key path; the key cannot see Work Email
    await page.getByRole('link', { name: 'Back to the connect page' }).click();
    await page.locator('#subdomain-key').fill('initech');
    await page.locator('#api-key').fill(KEY);
    await page.getByRole('button', { name: 'Check and connect' }).click();
    await page.getByRole('heading', { name: 'Almost connected' }).waitFor();
    await screenshot('incomplete');
    const incompleteText = await page.locator('main').innerText();
    const statusVisible = await page.locator('[data-field="status"]').getAttribute('data-visible');
    const workEmailVisible = await page.locator('[data-field="workEmail"]').getAttribute('data-visible');
    const tenantWhileIncomplete = await local.deps.tenants.get('initech');
    // Act: the admin gives the integration user Status (Work Email stays hidden), then checks again
    company.updateKey(KEY, { hiddenFields: ['workEmail'] });
    await page.getByRole('button', { name: 'Check again' }).click();
    await page.getByRole('heading', { name: 'Your BambooHR is connected' }).waitFor();
    const connectedText = await page.locator('main').innerText();
    const run = await syncNow('initech');
    const html = await page.content();

    // Assess
    expect(deniedText).toContain('was not approved');
    expect(incompleteText).toContain('Fix the items marked ✗');
    expect(statusVisible).toBe('false');
    expect(workEmailVisible).toBe('false');
    expect(tenantWhileIncomplete).toBeNull();
    expect(connectedText).toMatch(/✗\s*Work Email/);
    expect((await local.deps.secrets.get('initech', { fresh: true }))?.apiKey).toBe(KEY);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(html).not.toContain(KEY);
  }, 60_000);

  it('refuses a used link, an expired link, a tampered state and a consent answered in another browser, saving nothing', async () => {
    // Prepare
    addCompany('umbrella');
    const used = await invite('initech'); // a reconnect link, used below
    const expired = await invite('umbrella', { expiresInHours: 1 }, { clock: { now: () => new Date(Date.now() - 2 * 3_600_000) } });
    const link = await invite('umbrella');
    const other = await launchChromium();

    try {
      // Act: the used link
      await page.goto(used.url);
      await page.locator('#subdomain-key').fill('initech');
      await page.locator('#api-key').fill(KEY);
      await page.getByRole('button', { name: 'Check and connect' }).click();
      await page.getByRole('heading', { name: 'Your BambooHR is connected' }).waitFor();
      const usedAgain = await page.goto(used.url);
      const usedText = await page.locator('main').innerText();
      const expiredAnswer = await page.goto(expired.url);
      const expiredText = await page.locator('main').innerText();
      // Act: a tampered state coming back to this browser (which has the link's cookie)
      await page.goto(link.url);
      await page.getByLabel('Your BambooHR address').first().fill('umbrella');
      await page.getByRole('button', { name: 'Connect with BambooHR' }).click();
      await page.locator('#approve').waitFor();
      const consentUrl = new URL(page.url());
      const tampered = await page.goto(`${base}/oauth/bamboohr/callback?code=made-up&state=${'A'.repeat(43)}`);
      const tamperedText = await page.locator('main').innerText();
      // Act: the real consent page approved in another browser (no cookie): a login-CSRF attempt
      const otherPage = await other.context.newPage();
      await otherPage.goto(consentUrl.href);
      await otherPage.locator('#approve').click();
      await otherPage.getByRole('alert').waitFor();
      const otherText = await otherPage.locator('main').innerText();
      const otherStatus = (await otherPage.context().request.get(otherPage.url(), { maxRedirects: 0 })).status();

      // Assess
      expect(usedAgain?.status()).toBe(410);
      expect(usedText).toContain('not valid');
      expect(expiredAnswer?.status()).toBe(410);
      expect(expiredText).toBe(usedText);
      expect(tampered?.status()).toBe(400);
      expect(tamperedText).toContain('could not be matched');
      expect(otherText).toContain('could not be matched');
      expect(otherStatus).toBe(400);
      expect(await local.deps.tenants.get('umbrella')).toBeNull();
      expect(await local.deps.secrets.get('umbrella', { fresh: true })).toBeNull();
    } finally {
      await other.close();
    }
  }, 60_000);
});
