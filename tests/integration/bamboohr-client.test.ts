import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { createBambooHrSimulator, type SimEmployee } from '../../dev/bamboohr-simulator/simulator.js';
import { createBambooHrClient, createBambooHrSourceFactory, type BambooHrClientOptions } from '../../lib/bamboohr/bamboohr-client.js';
import { resolveField } from '../../lib/bamboohr/resolve-field.js';
import {
  BambooHrAuthError,
  BambooHrRateLimitedError,
  BambooHrResponseError,
  BambooHrUnavailableError,
  BambooHrUnknownCompanyError,
  WebhookNotPermittedError,
} from '../../lib/errors.js';
import { BAMBOOHR_FIELD_NAMES } from '../../lib/model/employee.js';

const KEY = 'LEAKCANARY-key-7f3e9b2d1c5a';
const DISABLED_KEY = 'LEAKCANARY-disabled-4c1d88';
const HIDDEN_KEY = 'LEAKCANARY-hidden-91aa02';
const NO_WEBHOOK_KEY = 'LEAKCANARY-nowebhook-33be7';
const EXCLUSION = { id: '4501', name: 'Skip Elevo Sync' };

let clock = new Date('2024-01-01T00:00:00Z');
const simulator = createBambooHrSimulator({ now: () => clock });
let apiBase = '';
let acmeEmployees: SimEmployee[] = [];

const clientFor = (overrides: Partial<BambooHrClientOptions> = {}) =>
  createBambooHrClient({
    apiBase,
    subdomain: 'acme',
    apiKey: KEY,
    tenantId: 'tenant-acme',
    timeoutMs: 2_000,
    retryLimit: 2,
    retryMaxWaitMs: 2_000,
    retryBaseDelayMs: 5,
    ...overrides,
  });

const captureError = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail');
};

const REPORT_FIELDS = [...BAMBOOHR_FIELD_NAMES, EXCLUSION.id];

beforeAll(async () => {
  acmeEmployees = generateEmployees({ count: 40, seed: 7, inactive: 4, excluded: 3, today: '2024-01-01' });
  simulator.addCompany({
    subdomain: 'acme',
    keys: [
      { apiKey: KEY },
      { apiKey: DISABLED_KEY, disabled: true },
      { apiKey: HIDDEN_KEY, hiddenFields: ['hireDate', EXCLUSION.id] },
      { apiKey: NO_WEBHOOK_KEY, canCreateWebhooks: false },
    ],
    employees: acmeEmployees,
    exclusionField: EXCLUSION,
  });
  simulator.addCompany({
    subdomain: 'globex',
    keys: [{ apiKey: KEY }],
    employees: generateEmployees({ count: 5, seed: 11, excluded: 2, today: '2024-01-01' }),
    exclusionField: { id: '4777', name: 'Do not sync', alias: 'skip_elevo_sync' },
    checkboxValues: { checked: 'Yes', unchecked: 'No' },
  });
  simulator.addCompany({
    subdomain: 'initech',
    keys: [{ apiKey: KEY }],
    employees: generateEmployees({ count: 6, seed: 3, today: '2024-01-01' }),
  });
  ({ apiBase } = await simulator.start());
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => {
  simulator.clearFaults();
  simulator.clearRequests();
});

describe('BambooHR client: reports', () => {
  it('pulls every employee, inactive ones included, in one request', async () => {
    // Prepare
    const client = clientFor();

    // Act
    const result = await client.fetchReport({ fields: REPORT_FIELDS });

    // Assess
    expect(result.employees).toHaveLength(40);
    expect(result.missingFields).toEqual([]);
    expect(result.employees.filter((e) => e.status === 'Inactive')).toHaveLength(4);
    const first = acmeEmployees[1] as SimEmployee;
    expect(result.employees.find((e) => e.id === first.id)).toMatchObject({
      firstName: first.firstName,
      workEmail: first.workEmail,
      supervisorEId: first.supervisorEId,
    });
    expect(result.employees.filter((e) => e[EXCLUSION.id] === '1')).toHaveLength(3);
    expect(client.requestCount).toBe(1);
  });

  it('pulls only the requested employees', async () => {
    // Prepare
    const client = clientFor();

    // Act
    const result = await client.fetchReport({ fields: ['firstName', 'status'], employeeIds: ['3', '5'] });

    // Assess
    expect(result.employees.map((e) => e.id).sort()).toEqual(['3', '5']);
    const sent = JSON.parse(simulator.requests[0]?.body ?? '{}') as { filters?: { employeeIds?: unknown[] } };
    expect(sent.filters?.employeeIds).toEqual([3, 5]);
  });

  it('sends Accept, an exact Content-Type and HTTP Basic with the key', async () => {
    // Prepare
    const client = clientFor();

    // Act
    await client.fetchReport({ fields: ['firstName'] });

    // Assess
    const [request] = simulator.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/gateway.php/acme/v1/reports/custom',
      query: { format: 'JSON', onlyCurrent: 'true' },
      auth: { user: KEY, password: 'x' },
    });
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ title: 'bamboohr-sync', fields: ['firstName'] });
  });

  it('reports the fields the key cannot see as missing', async () => {
    // Prepare
    const client = clientFor({ apiKey: HIDDEN_KEY });

    // Act
    const result = await client.fetchReport({ fields: REPORT_FIELDS });

    // Assess
    expect(result.missingFields).toEqual(['hireDate', EXCLUSION.id]);
    expect(result.employees[0]).not.toHaveProperty('hireDate');
    expect(result.employees[0]).toHaveProperty('firstName');
  });

  it('reports a field dropped from every key as missing', async () => {
    // Prepare
    simulator.injectFault({ kind: 'drop-field', field: 'location' });
    const client = clientFor();

    // Act
    const result = await client.fetchReport({ fields: REPORT_FIELDS });

    // Assess
    expect(result.missingFields).toEqual(['location']);
  });

  it('refuses a report answer without its fields list', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 200, body: JSON.stringify({ title: 'x', employees: [{ id: '1' }] }) });
    const client = clientFor();

    // Act
    const error = await captureError(client.fetchReport({ fields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrResponseError);
  });

  it('reads the exclusion checkbox as the company encodes it', async () => {
    // Prepare
    const client = clientFor({ subdomain: 'globex' });

    // Act
    const result = await client.fetchReport({ fields: ['firstName', 'skip_elevo_sync'] });

    // Assess
    expect(result.missingFields).toEqual([]);
    expect(result.employees.map((e) => e.skip_elevo_sync).sort()).toEqual(['No', 'No', 'No', 'Yes', 'Yes']);
  });
});

describe('BambooHR client: authentication and company', () => {
  it('rejects an unknown key with BambooHrAuthError, without retrying', async () => {
    // Prepare
    const client = clientFor({ apiKey: 'LEAKCANARY-unknown-0000' });

    // Act
    const error = await captureError(client.fetchReport({ fields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrAuthError);
    expect((error as BambooHrAuthError).status).toBe(401);
    expect(client.requestCount).toBe(1);
  });

  it("rejects a disabled user's key with BambooHrAuthError and BambooHR's reason", async () => {
    // Prepare
    const client = clientFor({ apiKey: DISABLED_KEY });

    // Act
    const error = await captureError(client.fetchReport({ fields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrAuthError);
    expect((error as BambooHrAuthError).status).toBe(403);
    expect((error as Error).message).toContain('disabled');
  });

  it('maps an unknown subdomain to BambooHrUnknownCompanyError', async () => {
    // Prepare
    const client = clientFor({ subdomain: 'no-such-company' });

    // Act
    const error = await captureError(client.listFields());

    // Assess
    expect(error).toBeInstanceOf(BambooHrUnknownCompanyError);
    expect(client.requestCount).toBe(1);
  });
});

describe('BambooHR client: retries', () => {
  it('waits for Retry-After on a 503, then succeeds', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 503, retryAfter: '1' });
    const client = clientFor();

    // Act
    const result = await client.fetchReport({ fields: ['firstName'] });

    // Assess
    expect(result.employees).toHaveLength(40);
    expect(client.requestCount).toBe(2);
    expect(simulator.requestCount('acme')).toBe(2);
    const [first, second] = simulator.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('waits for Retry-After on a 429, then succeeds', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 429, retryAfter: '1' });
    const client = clientFor();

    // Act
    const fields = await client.listFields();

    // Assess
    expect(fields.length).toBeGreaterThan(0);
    expect(client.requestCount).toBe(2);
    const [first, second] = simulator.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    // Prepare
    const retryAt = Math.floor(Date.now() / 1000) * 1000 + 1000;
    simulator.injectFault({ kind: 'status', status: 503, retryAfter: new Date(retryAt).toUTCString() });
    const client = clientFor();

    // Act
    await client.listFields();

    // Assess
    expect(client.requestCount).toBe(2);
    expect(simulator.requests[1]?.receivedAt ?? 0).toBeGreaterThanOrEqual(retryAt - 20);
  });

  it('gives up with BambooHrRateLimitedError after the retry budget', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 429, retryAfter: '0', times: 10 });
    const client = clientFor({ retryLimit: 2 });

    // Act
    const error = await captureError(client.fetchReport({ fields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrRateLimitedError);
    expect((error as BambooHrRateLimitedError).retryAfterSeconds).toBe(0);
    expect(client.requestCount).toBe(3);
    expect(simulator.requestCount('acme')).toBe(3);
  });

  it('gives up at once when Retry-After is longer than the longest wait allowed', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 503, retryAfter: '120', times: 5 });
    const client = clientFor({ retryMaxWaitMs: 2_000 });

    // Act
    const error = await captureError(client.listFields());

    // Assess
    expect(error).toBeInstanceOf(BambooHrRateLimitedError);
    expect((error as BambooHrRateLimitedError).retryAfterSeconds).toBe(120);
    expect(client.requestCount).toBe(1);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 500, times: 2 });
    const client = clientFor({ retryLimit: 2 });

    // Act
    const fields = await client.listFields();

    // Assess
    expect(fields.length).toBeGreaterThan(0);
    expect(client.requestCount).toBe(3);
  });

  it('maps persistent 502s to BambooHrUnavailableError', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 502, times: 10 });
    const client = clientFor({ retryLimit: 1 });

    // Act
    const error = await captureError(client.listFields());

    // Assess
    expect(error).toBeInstanceOf(BambooHrUnavailableError);
    expect(client.requestCount).toBe(2);
  });

  it('maps timeouts to BambooHrUnavailableError after retrying', async () => {
    // Prepare
    simulator.injectFault({ kind: 'delay', ms: 1_000, times: 2 });
    const client = clientFor({ timeoutMs: 100, retryLimit: 1 });

    // Act
    const error = await captureError(client.fetchReport({ fields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrUnavailableError);
    expect((error as Error).message).toContain('100 ms');
    expect(client.requestCount).toBe(2);
  });

  it('retries a reset connection, then succeeds', async () => {
    // Prepare
    simulator.injectFault({ kind: 'reset', times: 1 });
    const client = clientFor();

    // Act
    const result = await client.fetchReport({ fields: ['firstName'] });

    // Assess
    expect(result.employees).toHaveLength(40);
    expect(client.requestCount).toBe(2);
  });

  it('maps connections reset past the budget to BambooHrUnavailableError', async () => {
    // Prepare
    simulator.injectFault({ kind: 'reset', times: 5 });
    const client = clientFor({ retryLimit: 1 });

    // Act
    const error = await captureError(client.listFields());

    // Assess
    expect(error).toBeInstanceOf(BambooHrUnavailableError);
    expect(client.requestCount).toBe(2);
  });
});

describe('BambooHR client: unusable answers', () => {
  const personalData = () => acmeEmployees.slice(0, 5).flatMap((e) => [e.firstName, e.lastName, e.workEmail].filter((v): v is string => typeof v === 'string' && v.length > 2));

  it('maps truncated JSON to BambooHrResponseError naming its shape, never any of its data, without retrying (hardening 18)', async () => {
    // Prepare
    simulator.injectFault({ kind: 'truncate' });
    const client = clientFor();

    // Act
    const error = await captureError(client.fetchReport({ fields: REPORT_FIELDS }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrResponseError);
    expect((error as BambooHrResponseError).shape).toMatch(/^not JSON \(\d+ bytes, starting with '\{'\)$/);
    for (const value of personalData()) expect(inspect(error)).not.toContain(value);
    expect(client.requestCount).toBe(1);
  });

  it('names the unexpected shape of an answer by its keys and types, never its values (hardening 18)', async () => {
    // Prepare: a 200 with employees but a broken field list
    const rows = acmeEmployees.slice(0, 5).map((e) => ({ id: e.id, firstName: e.firstName, lastName: e.lastName, workEmail: e.workEmail }));
    simulator.injectFault({ kind: 'status', status: 200, body: JSON.stringify({ fields: 'oops', employees: rows }), path: 'reports/custom' });
    const client = clientFor();

    // Act
    const error = await captureError(client.fetchReport({ fields: REPORT_FIELDS }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrResponseError);
    expect((error as BambooHrResponseError).message).toContain('fields');
    expect((error as BambooHrResponseError).shape).toBe('an object with keys fields (string), employees (array of 5)');
    for (const value of personalData()) expect(inspect(error)).not.toContain(value);
  });

  it('maps an HTML page to BambooHrResponseError', async () => {
    // Prepare
    simulator.injectFault({ kind: 'html' });
    const client = clientFor();

    // Act
    const error = await captureError(client.fetchReport({ fields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(BambooHrResponseError);
    expect((error as BambooHrResponseError).shape).toMatch(/^an HTML page \(\d+ bytes\)$/);
  });

  it('reads an HTML page instead of the field list as an unknown company (a mistyped subdomain)', async () => {
    // Prepare
    simulator.injectFault({ kind: 'html', path: 'meta/fields' });
    const client = clientFor();

    // Act
    const error = await captureError(client.listFields());

    // Assess
    expect(error).toBeInstanceOf(BambooHrUnknownCompanyError);
  });
});

describe('BambooHR client: fields, changes and webhooks', () => {
  it('resolves the exclusion field by name, alias or id through listFields', async () => {
    // Prepare
    const acme = clientFor();
    const globex = clientFor({ subdomain: 'globex' });

    // Act
    const acmeFields = await acme.listFields();
    const globexFields = await globex.listFields();

    // Assess
    expect(resolveField(acmeFields, 'Skip Elevo Sync')?.id).toBe('4501');
    expect(resolveField(acmeFields, 'skip elevo sync')?.id).toBe('4501');
    expect(resolveField(acmeFields, '4501')?.type).toBe('checkbox');
    expect(resolveField(acmeFields, 'skip_elevo_sync')).toBeNull();
    expect(resolveField(globexFields, 'skip_elevo_sync')?.id).toBe('4777');
    expect(resolveField(globexFields, 'firstName')).toMatchObject({ id: '5', name: 'First Name' });
  });

  it('lists the employees changed since a date', async () => {
    // Prepare
    const initech = simulator.company('initech');
    clock = new Date('2024-02-01T10:00:00Z');
    initech.updateEmployee('2', { jobTitle: 'Principal Engineer' });
    initech.removeEmployee('3');
    initech.addEmployee({ ...(initech.employee('4') as SimEmployee), id: '99' });
    const client = clientFor({ subdomain: 'initech' });

    // Act
    const changed = await client.fetchChangedSince('2024-01-15T00:00:00Z');

    // Assess
    expect(changed.latest).toBe('2024-02-01T10:00:00+00:00');
    expect(changed.employees.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: '2', action: 'Updated', lastChanged: '2024-02-01T10:00:00+00:00' },
      { id: '3', action: 'Deleted', lastChanged: '2024-02-01T10:00:00+00:00' },
      { id: '99', action: 'Inserted', lastChanged: '2024-02-01T10:00:00+00:00' },
    ]);
    expect(simulator.requests[0]?.query).toEqual({ since: '2024-01-15T00:00:00Z' });
  });

  it('creates a webhook and returns its private key', async () => {
    // Prepare
    const client = clientFor();

    // Act
    const webhook = await client.createWebhook({ name: 'sync', url: 'https://example.test/hooks/acme', monitorFields: ['firstName'] });

    // Assess
    expect(webhook.privateKey).not.toBe('');
    expect(simulator.company('acme').webhooks.find((w) => w.id === webhook.id)).toMatchObject({
      url: 'https://example.test/hooks/acme',
      format: 'json',
      monitorFields: ['firstName'],
      postFields: {},
      includeCompanyDomain: false,
    });
  });

  it("lists the key's own webhooks and deletes one; a webhook already gone is deleted too, another user's is refused", async () => {
    // Prepare
    const client = clientFor();
    const mine = await client.createWebhook({ name: 'sync', url: 'https://example.test/hooks/mine', monitorFields: ['firstName'] });
    const theirs = await clientFor({ apiKey: HIDDEN_KEY }).createWebhook({ name: 'other', url: 'https://example.test/hooks/theirs', monitorFields: ['firstName'] });

    // Act
    const listed = await client.listWebhooks();
    await client.deleteWebhook(mine.id);
    await client.deleteWebhook(mine.id);
    const refused = await captureError(client.deleteWebhook(theirs.id));

    // Assess
    expect(listed).toContainEqual({ id: mine.id, url: 'https://example.test/hooks/mine' });
    expect(listed.map((w) => w.id)).not.toContain(theirs.id);
    expect(simulator.company('acme').webhooks.map((w) => w.id)).not.toContain(mine.id);
    expect(simulator.company('acme').webhooks.map((w) => w.id)).toContain(theirs.id);
    expect(refused).toBeInstanceOf(BambooHrAuthError);
    expect(simulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(3);
  });

  it('maps a refused webhook creation to WebhookNotPermittedError', async () => {
    // Prepare
    const client = clientFor({ apiKey: NO_WEBHOOK_KEY });

    // Act
    const error = await captureError(client.createWebhook({ name: 'sync', url: 'https://example.test/h', monitorFields: ['firstName'] }));

    // Assess
    expect(error).toBeInstanceOf(WebhookNotPermittedError);
    expect(client.requestCount).toBe(1);
  });

  it('builds clients from the configuration through the source factory', async () => {
    // Prepare
    const factory = createBambooHrSourceFactory({ apiBase: `${apiBase}/`, companyUrl: 'https://{subdomain}.bamboohr.com', timeoutMs: 2_000, retryLimit: 0, retryMaxWaitMs: 1_000 });
    const source = factory({ tenantId: 'tenant-acme', subdomain: 'acme', apiKey: KEY });

    // Act
    const result = await source.fetchReport({ fields: ['firstName'], employeeIds: ['1'] });

    // Assess
    expect(result.employees.map((e) => e.id)).toEqual(['1']);
    expect(source.requestCount).toBe(1);
  });
});

describe('BambooHR client: the API key never leaks', () => {
  const closedPort = async (): Promise<number> => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  };

  const assertNoSecret = (error: unknown, key: string): void => {
    const basic = Buffer.from(`${key}:x`).toString('base64');
    const renderings = [
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(error),
      String(error),
      (error as Error).stack ?? '',
      inspect((error as Error).cause, { depth: 10, showHidden: true }),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(basic);
      expect(text).not.toContain('LEAKCANARY');
    }
  };

  it('keeps the key out of every error', async () => {
    // Prepare
    const port = await closedPort();
    const cases: Array<{ name: string; key: string; run: () => Promise<unknown> }> = [
      { name: 'unknown key', key: 'LEAKCANARY-unknown-1111', run: () => clientFor({ apiKey: 'LEAKCANARY-unknown-1111' }).listFields() },
      { name: 'disabled key', key: DISABLED_KEY, run: () => clientFor({ apiKey: DISABLED_KEY }).listFields() },
      { name: 'unknown company', key: KEY, run: () => clientFor({ subdomain: 'nope' }).listFields() },
      {
        name: 'error message echoing the key',
        key: KEY,
        run: async () => {
          simulator.injectFault({ kind: 'status', status: 401, errorMessage: `Key ${KEY} is not valid` });
          return clientFor().listFields();
        },
      },
      {
        name: 'rate limited',
        key: KEY,
        run: async () => {
          simulator.injectFault({ kind: 'status', status: 429, retryAfter: '0', times: 2 });
          return clientFor({ retryLimit: 1 }).listFields();
        },
      },
      {
        name: 'timeout',
        key: KEY,
        run: async () => {
          simulator.injectFault({ kind: 'delay', ms: 500, times: 1 });
          return clientFor({ timeoutMs: 50, retryLimit: 0 }).listFields();
        },
      },
      {
        name: 'reset',
        key: KEY,
        run: async () => {
          simulator.injectFault({ kind: 'reset', times: 1 });
          return clientFor({ retryLimit: 0 }).listFields();
        },
      },
      {
        name: 'connection refused',
        key: KEY,
        run: () => clientFor({ apiBase: `http://127.0.0.1:${port}/api/gateway.php`, retryLimit: 1 }).listFields(),
      },
      {
        name: 'body echoing the key',
        key: KEY,
        run: async () => {
          simulator.injectFault({ kind: 'status', status: 200, body: `<html>Hello ${KEY} ${Buffer.from(`${KEY}:x`).toString('base64')}</html>` });
          return clientFor().fetchReport({ fields: ['firstName'] });
        },
      },
      {
        name: 'truncated report',
        key: KEY,
        run: async () => {
          simulator.injectFault({ kind: 'truncate' });
          return clientFor().fetchReport({ fields: ['firstName'] });
        },
      },
      {
        name: 'webhook refused',
        key: NO_WEBHOOK_KEY,
        run: () => clientFor({ apiKey: NO_WEBHOOK_KEY }).createWebhook({ name: 'x', url: 'https://example.test/h', monitorFields: ['firstName'] }),
      },
    ];

    // Act
    const errors: Array<{ name: string; key: string; error: unknown }> = [];
    for (const c of cases) {
      simulator.clearFaults();
      errors.push({ name: c.name, key: c.key, error: await captureError(c.run()) });
    }

    // Assess
    for (const { key, error } of errors) {
      expect(error).toBeInstanceOf(Error);
      assertNoSecret(error, key);
    }
    expect(errors.map((e) => (e.error as { code: string }).code)).toEqual([
      'bamboohr-key-rejected',
      'bamboohr-key-rejected',
      'bamboohr-unknown-company',
      'bamboohr-key-rejected',
      'bamboohr-rate-limited',
      'bamboohr-unavailable',
      'bamboohr-unavailable',
      'bamboohr-unavailable',
      'bamboohr-bad-response',
      'bamboohr-bad-response',
      'webhook-not-permitted',
    ]);
  });
});
