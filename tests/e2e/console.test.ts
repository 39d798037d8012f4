/**
 * The support console end to end: headless Chromium (Debian's package, driven by playwright-core)
 * against the console's server over the local AWS emulators and the BambooHR simulator. The test
 * plays the worker: it drains the sync queue with the real worker handler while the page watches.
 *
 * Set CONSOLE_SCREENSHOTS=/some/dir to keep screenshots of the main steps.
 */
import { spawnSync } from 'node:child_process';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { startConsole, type ConsoleServer } from '../../lib/console/server.js';
import { repoRoot } from '../../lib/local-stack-info.js';
import { SqsDeadLetterQueue } from '../../lib/adapters/sqs-dead-letter-queue.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { launchChromium, type HeadlessChromium } from '../helpers/chromium.js';
import { drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';
import { createRecordingLog } from '../helpers/recording-log.js';

const WRONG_KEY = 'wrong-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const EMPLOYEES = 30;
const LEAVERS = 12;

/** Puts a failed sync job and a poison message straight into the jobs queue's dead-letter queue. */
const seedDeadLetters = async (local: LocalService): Promise<void> => {
  const job = { jobId: 'schedule-blind-e2e', tenantId: 'blind', kind: 'full', requestedAt: new Date(Date.now() - 3 * 3600_000).toISOString(), requestedBy: 'schedule' };
  for (const [group, body] of [
    ['blind', JSON.stringify(job)],
    ['poison', '{"not":"a job"'],
  ] as const) {
    await local.emulators.sqs.client.send(
      new SendMessageCommand({ QueueUrl: local.config.queues.dlqUrl!, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: `seed-${group}` }),
    );
  }
};

const rawGet = (url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('the support console in headless Chromium', () => {
  let local: LocalService;
  let worker: WorkerHandler;
  let server: ConsoleServer;
  let browser: HeadlessChromium;
  let page: Page;
  const log = createRecordingLog();
  const apiBodies: Promise<string>[] = [];
  const drain = () => drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
  const screenshot = async (name: string) => {
    const dir = process.env.CONSOLE_SCREENSHOTS;
    if (dir) await page.screenshot({ path: join(dir, `console-${name}.png`), fullPage: true });
  };
  const openTenant = async (tenantId: string) => {
    await page.goto(`${server.url}#/tenants/${tenantId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`Tenant ${tenantId}`) }).waitFor();
  };

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(repoRoot(), 'scripts', 'build-console.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`The console front end did not build: ${built.stderr}${built.stdout}`);
    browser = await launchChromium({ timezoneId: 'Europe/Paris' });
    local = await startLocalService();
    local.simulator.addCompany({
      subdomain: 'blind',
      keys: [{ apiKey: FAKE_API_KEY, hiddenFields: ['workEmail'] }],
      employees: generateEmployees({ count: EMPLOYEES, seed: 7, today: '2026-11-25' }),
    });
    worker = (await import('../../functions/worker.js')).handler as never;
    const deadLetters = new SqsDeadLetterQueue({ client: local.emulators.sqs.client, dlqUrl: local.config.queues.dlqUrl!, queueUrl: local.config.queues.syncUrl! });
    server = await startConsole({ ...local.deps, log, deadLetters }, { label: 'e2e' });
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('response', (response: Response) => {
      if (new URL(response.url()).pathname.startsWith('/api/')) apiBodies.push(response.text().catch(() => ''));
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await local?.stop();
  });

  it('refuses the page and the API without the token, and sends strict headers', async () => {
    // Act
    const noToken = await fetch(server.url.replace(/\?.*$/, ''));
    const wrongToken = await fetch(server.url.replace(/token=[^&]+/, 'token=nope'));
    const apiNoToken = await fetch(new URL('/api/tenants', server.url));
    const apiWrongToken = await fetch(new URL('/api/tenants', server.url), { headers: { authorization: 'Bearer nope' } });
    const apiTokenInQuery = await fetch(new URL(`/api/tenants?token=${server.token}`, server.url));
    const apiOk = await fetch(new URL('/api/tenants', server.url), { headers: { authorization: `Bearer ${server.token}` } });
    const pageOk = await fetch(server.url);
    const otherHost = await rawGet(server.url, { host: `attacker.example:${server.port}` });
    const auth = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const noRoute = await fetch(new URL('/api/nothing', server.url), { headers: auth });
    const notJson = await fetch(new URL('/api/tenants', server.url), { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' });
    // A key pasted into the subdomain field too: the use case's message quotes the subdomain.
    const echoed = await fetch(new URL('/api/tenants', server.url), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ tenantId: 'echo', subdomain: `https://${FAKE_API_KEY}/`, apiKey: FAKE_API_KEY }),
    });
    const echoedText = await echoed.text();

    // Assess
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);
    expect([noToken.status, wrongToken.status, apiNoToken.status, apiWrongToken.status, apiTokenInQuery.status]).toEqual([401, 401, 401, 401, 401]);
    expect(await apiNoToken.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(apiOk.status).toBe(200);
    expect(apiOk.headers.get('cache-control')).toBe('no-store');
    expect(pageOk.status).toBe(200);
    expect(pageOk.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(pageOk.headers.get('x-frame-options')).toBe('DENY');
    expect(pageOk.headers.get('referrer-policy')).toBe('no-referrer');
    expect(otherHost.status).toBe(421);
    expect(noRoute.status).toBe(404);
    expect(notJson.status).toBe(415);
    expect(echoed.status).toBe(400);
    expect(echoedText).toContain('[redacted]');
    expect(echoedText).not.toContain(FAKE_API_KEY);
  });

  it('registers a tenant whose key cannot see Work Email, crossing it in the checklist; a refused key saves nothing', async () => {
    // Prepare
    await page.goto(server.url);
    await page.getByRole('navigation').getByRole('link', { name: 'Register a tenant' }).click();
    await page.getByLabel('BambooHR subdomain').fill('https://blind.bamboohr.com/');

    // Act: a refused key first, then the right one
    await page.getByLabel('API key', { exact: true }).fill(WRONG_KEY);
    await page.getByRole('button', { name: 'Check and register' }).click();
    await page.getByRole('heading', { name: 'Not registered: nothing was saved' }).waitFor();
    const refusedText = await page.locator('section.panel').innerText();
    const keyAfterRefusal = await page.getByLabel('API key', { exact: true }).inputValue();
    await page.getByLabel('API key', { exact: true }).fill(FAKE_API_KEY);
    await page.getByLabel('API key', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Registered blind' }).waitFor();
    await screenshot('registered');

    // Assess
    expect(refusedText).toContain('Key refused');
    expect(keyAfterRefusal).toBe('');
    expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe('');
    expect(await page.locator('#tenantId').inputValue()).toBe('blind');
    const workEmail = page.locator('[data-field="workEmail"]');
    expect(await workEmail.getAttribute('data-visible')).toBe('false');
    expect(await workEmail.innerText()).toMatch(/✗\s*Work Email/);
    expect(await page.locator('[data-field="firstName"]').innerText()).toMatch(/✓\s*First Name/);
    const result = await page.locator('section.panel').innerText();
    expect(result).toContain('Company found: blind.bamboohr.com');
    expect(result).toContain(`Key accepted: it sees ${EMPLOYEES} employee(s)`);
    expect(result).toContain('The key cannot see: Work Email');
    expect(await page.content()).not.toContain(FAKE_API_KEY);
    expect((await local.deps.tenants.list()).tenants.map((t) => t.tenantId)).toEqual(['blind']);
  });

  it('previews the first sync without writing anything: first what the blind key would do, then with the access fixed', async () => {
    // Prepare
    await page.getByRole('link', { name: 'Open blind to preview the first sync' }).click();
    await page.getByRole('heading', { level: 1, name: /Tenant blind/ }).waitFor();
    const preview = page.locator('section[aria-labelledby="preview-title"]');

    // Act: without Work Email nobody can be synced, and the preview says why
    await page.getByRole('button', { name: 'Preview sync' }).click();
    await preview.waitFor();
    const blindText = await preview.innerText();
    // The customer adds Work Email to the integration user's access level.
    local.simulator.company('blind').updateKey(FAKE_API_KEY, { hiddenFields: [] });
    await page.getByRole('button', { name: 'Preview sync' }).click();
    await preview.getByText(`First changes (${EMPLOYEES} of ${EMPLOYEES})`).waitFor();
    await screenshot('preview');

    // Assess
    expect(blindText).toContain(`Pulled ${EMPLOYEES} employees from BambooHR; 0 employees would be synced.`);
    expect(blindText).toMatch(/have no work email/);
    const text = await preview.innerText();
    expect(text).toContain(`${EMPLOYEES} new, 0 updated, 0 deactivated, 0 reactivated`);
    expect(text).toContain('would apply');
    expect(await preview.locator('tbody tr').count()).toBe(EMPLOYEES);
    expect(await local.deps.runs.list('blind', 10)).toEqual([]);
  });

  it('syncs now, showing the run queued until the worker has finished it, then in the history and the feed', async () => {
    // Act
    await page.getByRole('button', { name: 'Sync now' }).click();
    const progress = page.locator('section[aria-labelledby="progress-title"]');
    await progress.getByText('Waiting for the worker to take the job').waitFor();
    const queuedState = await progress.getAttribute('data-state');
    await drain();
    await page.locator('section[aria-labelledby="progress-title"][data-state="succeeded"]').waitFor();
    await page.locator('table[aria-label="Run history"] tbody tr[data-status="succeeded"]').waitFor();
    await page.locator('table[aria-label="Latest changes"]').waitFor();
    await screenshot('synced');

    // Assess
    expect(queuedState).toBe('queued');
    expect(await progress.innerText()).toContain(`${EMPLOYEES} new, 0 updated`);
    const history = page.locator('table[aria-label="Run history"] tbody tr');
    expect(await history.count()).toBe(1);
    expect(await history.first().innerText()).toMatch(new RegExp(`full\\s+by support[\\s\\S]*Succeeded[\\s\\S]*${EMPLOYEES}`));
    expect(await page.locator('table[aria-label="Latest changes"] tbody tr').count()).toBe(20);
    expect(await page.locator('table[aria-label="Latest changes"] tbody tr').first().innerText()).toMatch(/^30\s+created/);
  });

  it('shows a run held by the safeguard, and allows it after a confirm that lists who would be deactivated', async () => {
    // Prepare: most of a department leaves at once
    const company = local.simulator.company('blind');
    const leavers = company.employees().slice(-LEAVERS).map((e) => e.id);
    for (const id of leavers) company.removeEmployee(id);

    // Act: the run is held
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('section[aria-labelledby="progress-title"][data-state="queued"]').waitFor();
    await drain();
    await page.getByRole('heading', { name: 'A sync is held' }).waitFor();
    const heldBanner = await page.locator('.panel-held').innerText();

    // Act: the confirm lists the leavers; cancel first, then allow
    await page.getByRole('button', { name: 'Allow deactivations…' }).click();
    const dialog = page.getByRole('dialog', { name: `Deactivate ${LEAVERS} employees?` });
    await dialog.waitFor();
    const listed = await dialog.getByRole('list', { name: 'Who would be deactivated' }).innerText();
    await screenshot('confirm-deactivations');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const runsAfterCancel = (await local.deps.runs.list('blind', 10)).length;
    await page.getByRole('button', { name: 'Allow deactivations…' }).click();
    await dialog.getByRole('button', { name: 'Allow and sync now' }).click();
    await page.locator('section[aria-labelledby="progress-title"][data-state="queued"]').waitFor();
    await drain();
    await page.locator('section[aria-labelledby="progress-title"][data-state="succeeded"]').waitFor();
    await page.getByRole('heading', { name: 'A sync is held' }).waitFor({ state: 'detached' });

    // Assess
    expect(heldBanner).toContain(`It would deactivate ${LEAVERS} of ${EMPLOYEES} synced employees`);
    for (const id of leavers) expect(listed).toContain(`#${id}`);
    expect(listed).toContain('no longer returned by BambooHR');
    expect(runsAfterCancel).toBe(2);
    expect(await page.locator('section[aria-labelledby="progress-title"]').innerText()).toContain(`${LEAVERS} deactivated`);
    const statuses = await page.locator('table[aria-label="Run history"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses).toEqual(['succeeded', 'held', 'succeeded']);
    const runs = await local.deps.runs.list('blind', 10);
    expect(runs[0]).toMatchObject({ status: 'succeeded', counts: { deactivated: LEAVERS } });
  });

  it('lists the tenants with their status and last run, filtered by status', async () => {
    // Act
    await page.getByRole('navigation').getByRole('link', { name: 'Tenants' }).click();
    const row = page.locator('tr[data-tenant="blind"]');
    await row.waitFor();
    const rowText = await row.innerText();
    await screenshot('tenants');
    await page.getByLabel('Show').selectOption('held');
    await page.getByText('No tenant has this status.').waitFor();
    await page.getByLabel('Show').selectOption('active');
    await row.waitFor();

    // Assess
    expect(rowText).toMatch(/blind\s+blind\s+Active/);
    expect(rowText).toContain('Succeeded');
    expect(rowText).toContain(`${LEAVERS} deactivated`);
    expect(rowText).toMatch(/ago|just now/);
    expect(rowText.trim().endsWith(String(EMPLOYEES - LEAVERS))).toBe(true);
  });

  it('disables and enables the tenant, and updates its key with the access checklist', async () => {
    // Prepare
    await openTenant('blind');

    // Act
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    const syncDisabled = await page.getByRole('button', { name: 'Sync now' }).isDisabled();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    await page.getByLabel('New API key').fill(FAKE_API_KEY);
    await page.getByRole('button', { name: 'Check and save the key' }).click();
    await page.getByText('Key accepted and saved').waitFor();

    // Assess
    expect(syncDisabled).toBe(true);
    expect((await local.deps.tenants.get('blind'))?.status).toBe('active');
    expect(await page.getByLabel('New API key').inputValue()).toBe('');
    expect(await page.locator('[data-field="workEmail"]').getAttribute('data-visible')).toBe('true');
    expect(await page.content()).not.toContain(FAKE_API_KEY);
  });

  it('lists the failed jobs of the dead-letter queue and redrives the selected one, which then runs', async () => {
    // Prepare
    await seedDeadLetters(local);
    const runsBefore = (await local.deps.runs.list('blind', 20)).length;

    // Act
    await page.getByRole('navigation').getByRole('link', { name: 'Failed jobs' }).click();
    const jobRow = page.locator('tr[data-job="schedule-blind-e2e"]');
    await jobRow.waitFor();
    const listed = await page.locator('table[aria-label="Failed jobs"] tbody tr').count();
    const poison = await page.locator('tr[data-job=""]').innerText();
    await screenshot('failed-jobs');
    await page.getByLabel('Select job schedule-blind-e2e').check();
    await page.getByRole('button', { name: 'Redrive selected (1)' }).click();
    await page.getByRole('dialog', { name: 'Redrive 1 job?' }).getByRole('button', { name: 'Redrive' }).click();
    await page.getByText('Moved 1 job back to the sync queue.').waitFor();
    await jobRow.waitFor({ state: 'detached' });
    await drain();

    // Assess
    expect(listed).toBe(2);
    expect(poison).toContain('Not a sync job');
    expect(await page.locator('table[aria-label="Failed jobs"] tbody tr').count()).toBe(1);
    const runs = await local.deps.runs.list('blind', 20);
    expect(runs).toHaveLength(runsBefore + 1);
    expect(runs.find((r) => r.jobId === 'schedule-blind-e2e')).toMatchObject({ requestedBy: 'schedule', status: 'succeeded' });
  });

  it('puts a tenant whose key was revoked at the top of the tenants page, with the failed job, and shows its activity until it recovers', async () => {
    // Prepare: the customer deactivates the integration user's key
    local.simulator.company('blind').updateKey(FAKE_API_KEY, { disabled: true });
    await openTenant('blind');

    // Act: the run fails, the tenant needs attention
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('section[aria-labelledby="progress-title"][data-state="queued"]').waitFor();
    await drain();
    await page.locator('section[aria-labelledby="progress-title"][data-state="failed"]').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Tenants' }).click();
    const attention = page.getByRole('list', { name: 'What needs a person' });
    await attention.locator('li[data-tenant="blind"]').waitFor();
    const attentionText = await attention.innerText();
    const kinds = await attention.locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-attention')));
    await screenshot('attention');

    // Act: the key works again; a sync recovers the tenant
    local.simulator.company('blind').updateKey(FAKE_API_KEY, { disabled: false });
    await attention.getByRole('link', { name: 'blind' }).click();
    await page.getByRole('heading', { level: 1, name: /Tenant blind/ }).waitFor();
    await page.locator('table[aria-label="Activity"] tr[data-activity="needs-attention"]').waitFor();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('section[aria-labelledby="progress-title"][data-state="queued"]').waitFor();
    await drain();
    await page.locator('section[aria-labelledby="progress-title"][data-state="succeeded"]').waitFor();
    await page.locator('table[aria-label="Activity"] tbody tr[data-activity="recovered"]').waitFor();
    const activity = await page.locator('table[aria-label="Activity"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-activity')));
    const recoveredRow = await page.locator('table[aria-label="Activity"] tbody tr').first().innerText();
    await screenshot('activity');
    await page.getByRole('navigation').getByRole('link', { name: 'Tenants' }).click();
    await page.locator('li[data-attention="failed-jobs"]').waitFor();
    const kindsAfter = await page.getByRole('list', { name: 'What needs a person' }).locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-attention')));

    // Assess
    expect(kinds).toEqual(['needs-attention', 'failed-jobs']);
    expect(attentionText).toMatch(/Needs attention\s+blind/);
    expect(attentionText).toMatch(/refused|key/i);
    expect(attentionText).toContain('1 failed job');
    expect(activity[0]).toBe('recovered');
    expect(activity).toEqual(expect.arrayContaining(['needs-attention', 'held', 'held-allowed', 'disabled', 'enabled', 'configuration-changed', 'redriven', 'registered']));
    expect(activity.indexOf('needs-attention')).toBeLessThan(activity.indexOf('redriven'));
    expect(activity[activity.length - 1]).toBe('registered');
    expect(recoveredRow).toMatch(/Recovered/);
    expect(kindsAfter).toEqual(['failed-jobs']);
  });

  it('explains a person: searches by name, opens their page with the verdict, BambooHR and the product side by side, the org picture and the run chart (issue 16)', async () => {
    // Prepare: a synced manager with reports, and someone who left (deleted in BambooHR)
    const snapshot = await local.deps.snapshots.load('blind');
    const manager = [...snapshot.values()].find((e) => e.state === 'synced' && e.employee.directReportIds.length > 0 && e.employee.managerId !== null)!;
    const reports = [...snapshot.values()].filter((e) => e.sourceManagerId === manager.employee.id);
    const chainLength = (() => {
      let n = 0;
      for (let id = manager.sourceManagerId; id && n < 20; id = snapshot.get(id)?.sourceManagerId ?? null) n += 1;
      return n;
    })();
    const leaver = [...snapshot.values()].find((e) => e.state === 'deactivated' && e.reason === 'deleted')!;
    const runs = await local.deps.runs.list('blind', 20);
    await openTenant('blind');

    // Act: the run chart, then a search by full name that finds one person
    await page.locator('.run-chart svg').waitFor();
    const bars = await page.locator('.run-chart g.run-bar').count();
    const heldBars = await page.locator('.run-chart g.run-bar[data-status="held"]').count();
    await page.getByLabel('Name, work email, employee # or BambooHR id').fill(`${manager.employee.firstName} ${manager.employee.lastName}`);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('section[aria-labelledby="verdict-title"]').waitFor();
    const verdict = await page.locator('section[aria-labelledby="verdict-title"]').getAttribute('data-verdict');
    const reasonCodes = await page.getByRole('list', { name: 'Reasons' }).locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-code')));
    const compare = await page.getByRole('table', { name: 'BambooHR and the product side by side' }).innerText();
    const org = page.locator('svg.org-picture');
    const managers = await org.locator('g[data-role="manager"]').count();
    const reportNodes = await org.locator('g[data-role="report"]').count();
    const personNode = await org.locator('g[data-role="person"]').getAttribute('data-employee');
    const history = await page.getByRole('list', { name: 'History' }).locator('li').count();
    await screenshot('employee');
    // Act: the leaver, by email (straight to their page)
    await page.goto(`${server.url}#/tenants/blind/employees/${encodeURIComponent(leaver.employee.workEmail!)}`);
    await page.locator('section[aria-labelledby="verdict-title"][data-verdict="not-in-product"]').waitFor();
    const leaverCodes = await page.getByRole('list', { name: 'Reasons' }).locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-code')));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // Assess
    expect(bars).toBe(runs.length);
    expect(heldBars).toBe(runs.filter((r) => r.status === 'held').length);
    expect(verdict).toBe('in-product');
    expect(reasonCodes).toEqual(['synced']);
    expect(compare).toContain(manager.employee.workEmail!);
    expect(managers).toBe(chainLength);
    expect(reportNodes).toBe(reports.length);
    expect(personNode).toBe(manager.employee.id);
    expect(history).toBeGreaterThanOrEqual(1);
    expect(leaverCodes).toEqual(['deleted']);
    expect(errors).toEqual([]);
  });

  it('makes a connect link for a new tenant on the Register page, and one to connect an existing tenant again on its page (issue 15)', async () => {
    // Act: a new tenant
    await page.goto(server.url);
    await page.getByRole('navigation').getByRole('link', { name: 'Register a tenant' }).click();
    await page.locator('#invite-tenantId').fill('newco');
    await page.locator('#invite-exclusionOn').check();
    await page.locator('#invite-expires').selectOption('1d');
    await page.getByRole('button', { name: 'Make a connect link' }).click();
    await page.locator('#invite-url').waitFor();
    const newUrl = await page.locator('#invite-url').inputValue();
    const newMode = await page.locator('[data-invite-mode]').getAttribute('data-invite-mode');
    await screenshot('invite');
    // Act: an existing tenant
    await openTenant('blind');
    await page.getByRole('button', { name: 'Make a link to connect again' }).click();
    await page.locator('#reconnect-url').waitFor();
    const againUrl = await page.locator('#reconnect-url').inputValue();
    const againMode = await page.locator('[data-invite-mode]').getAttribute('data-invite-mode');
    const newcoActivity = await local.deps.activityLog.list('newco', 5);

    // Assess
    expect(newUrl).toMatch(/^http:\/\/127\.0\.0\.1:9\/connect\/[A-Za-z0-9_-]{43}$/);
    expect(newMode).toBe('register');
    expect(againUrl).toMatch(/\/connect\/[A-Za-z0-9_-]{43}$/);
    expect(againUrl).not.toBe(newUrl);
    expect(againMode).toBe('reconnect');
    expect(newcoActivity[0]).toMatchObject({ type: 'invited', details: expect.objectContaining({ exclusionField: 'skip_elevo_sync' }) });
    expect(Date.parse(String(newcoActivity[0]!.details?.expiresAt)) - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('never shows a key in an API answer the page received, nor the key or the token in the server log', async () => {
    // Act
    const bodies = await Promise.all(apiBodies);

    // Assess
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies) {
      expect(body).not.toContain(FAKE_API_KEY);
      expect(body).not.toContain(WRONG_KEY);
    }
    const logged = log.lines.join('\n');
    expect(log.lines.some((l) => l.includes('console request') && l.includes('/api/tenants'))).toBe(true);
    expect(logged).not.toContain(FAKE_API_KEY);
    expect(logged).not.toContain(WRONG_KEY);
    expect(logged).not.toContain(server.token);
  });
});
