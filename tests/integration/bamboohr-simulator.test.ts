import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { createBambooHrSimulator, sendWebhook, type SimEmployee } from '../../dev/bamboohr-simulator/simulator.js';
import { verifyWebhookSignature } from '../../lib/bamboohr/webhook-signature.js';

const KEY = 'sim-test-key';
const AUTH = `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`;

const simulator = createBambooHrSimulator();
let apiBase = '';

beforeAll(async () => {
  const employees = generateEmployees({ count: 12, seed: 5, excluded: 2, withoutEmail: 1, today: '2024-06-01' });
  (employees[2] as SimEmployee).originalHireDate = '';
  simulator.addCompany({
    subdomain: 'acme',
    keys: [{ apiKey: KEY }],
    employees,
    exclusionField: { id: '4501', name: 'Skip Elevo Sync' },
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

const report = async (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${apiBase}/acme/v1/reports/custom?format=JSON&onlyCurrent=true`, {
    method: 'POST',
    headers: { authorization: AUTH, accept: 'application/json', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('BambooHR simulator', () => {
  it('answers a report with string values, 0000-00-00 for empty dates and custom fields keyed by id', async () => {
    // Prepare
    const noOriginalHire = simulator.company('acme').employees()[2] as SimEmployee;

    // Act
    const response = await report({ title: 't', fields: ['firstName', 'originalHireDate', '4501', 'noSuchField'] });
    const answer = (await response.json()) as { fields: Array<{ id: string }>; employees: Array<Record<string, string>> };

    // Assess
    expect(response.status).toBe(200);
    expect(answer.fields.map((f) => f.id)).toEqual(['firstName', 'originalHireDate', '4501']);
    expect(answer.employees).toHaveLength(12);
    expect(answer.employees.filter((e) => e['4501'] === '1')).toHaveLength(2);
    expect(answer.employees.find((e) => e.id === noOriginalHire.id)?.originalHireDate).toBe('0000-00-00');
    expect(answer.employees.every((e) => Object.values(e).every((v) => typeof v === 'string'))).toBe(true);
  });

  it('parses a report whose Content-Type carries a charset as XML, and fails with 400', async () => {
    // Act
    const response = await report({ title: 't', fields: ['firstName'] }, { 'content-type': 'application/json; charset=UTF-8' });

    // Assess
    expect(response.status).toBe(400);
  });

  it('answers XML when Accept is not application/json', async () => {
    // Act
    const response = await fetch(`${apiBase}/acme/v1/meta/fields`, { headers: { authorization: AUTH } });
    const body = await response.text();

    // Assess
    expect(response.headers.get('content-type')).toContain('xml');
    expect(body.startsWith('<?xml')).toBe(true);
  });

  it('answers a single employee with the requested fields', async () => {
    // Prepare
    const [first] = simulator.company('acme').employees();

    // Act
    const response = await fetch(`${apiBase}/acme/v1/employees/${first?.id}?fields=firstName,workEmail,hireDate`, {
      headers: { authorization: AUTH, accept: 'application/json' },
    });

    // Assess
    expect(await response.json()).toEqual({ id: first?.id, firstName: first?.firstName, workEmail: first?.workEmail, hireDate: first?.hireDate });
  });

  it('lists standard fields with aliases and the custom checkbox without one', async () => {
    // Act
    const response = await fetch(`${apiBase}/acme/v1/meta/fields`, { headers: { authorization: AUTH, accept: 'application/json' } });
    const fields = (await response.json()) as Array<{ id: number; name: string; type: string; alias?: string }>;

    // Assess
    expect(fields).toContainEqual({ id: 5, name: 'First Name', type: 'text', alias: 'firstName' });
    expect(fields).toContainEqual({ id: 4501, name: 'Skip Elevo Sync', type: 'checkbox' });
  });

  it('counts requests per company, faulted ones included, and logs them without Authorization', async () => {
    // Prepare
    simulator.injectFault({ kind: 'status', status: 503, path: 'meta/fields' });

    // Act
    const faulted = await fetch(`${apiBase}/acme/v1/meta/fields`, { headers: { authorization: AUTH, accept: 'application/json' } });
    const unknown = await fetch(`${apiBase}/nope/v1/meta/fields`, { headers: { authorization: AUTH, accept: 'application/json' } });

    // Assess
    expect(faulted.status).toBe(503);
    expect(unknown.status).toBe(404);
    expect(simulator.company('acme').requestCount).toBe(1);
    expect(simulator.requestCount('nope')).toBe(1);
    expect(simulator.requests[0]?.fault).toBe('status');
    expect(simulator.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('stops promptly while an answer is being delayed', async () => {
    // Prepare
    const local = createBambooHrSimulator();
    local.addCompany({ subdomain: 'slow', keys: [{ apiKey: KEY }], employees: [] });
    const started = await local.start();
    local.injectFault({ kind: 'delay', ms: 60_000 });
    const pending = fetch(`${started.apiBase}/slow/v1/meta/fields`, { headers: { authorization: AUTH, accept: 'application/json' } }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    await local.stop();

    // Assess
    expect(String(await pending)).toContain('fetch failed');
  });
});

describe('sendWebhook', () => {
  it('posts a body signed so that verifyWebhookSignature accepts it', async () => {
    // Prepare
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    // Act
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/webhooks/acme`,
      privateKey: 'private-key',
      body: { employees: [{ id: '3', action: 'Updated' }] },
      timestamp: '1700000000',
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // Assess
    expect(result.status).toBe(200);
    const [delivery] = received;
    expect(
      verifyWebhookSignature({
        rawBody: delivery?.body,
        timestamp: delivery?.headers['x-bamboohr-timestamp'] as string,
        signature: delivery?.headers['x-bamboohr-signature'] as string,
        privateKey: 'private-key',
        now: new Date(1_700_000_010_000),
        toleranceSeconds: 300,
      }),
    ).toBe(true);
  });
});

describe('generateEmployees', () => {
  it('is deterministic for a seed', () => {
    // Act
    const first = generateEmployees({ count: 200, seed: 42, inactive: 10, excluded: 5, futureHires: 3, withoutEmail: 4, today: '2024-06-01' });
    const second = generateEmployees({ count: 200, seed: 42, inactive: 10, excluded: 5, futureHires: 3, withoutEmail: 4, today: '2024-06-01' });
    const other = generateEmployees({ count: 200, seed: 43, today: '2024-06-01' });

    // Assess
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('builds a consistent org tree and the requested populations', () => {
    // Act
    const employees = generateEmployees({ count: 2_000, seed: 1, inactive: 50, excluded: 20, futureHires: 7, withoutEmail: 9, today: '2024-06-01' });

    // Assess
    const byId = new Map(employees.map((e) => [e.id, e]));
    const roots = employees.filter((e) => e.supervisorEId === '');
    expect(roots).toHaveLength(1);
    for (const e of employees) {
      if (e.supervisorEId === '') continue;
      const boss = byId.get(e.supervisorEId ?? '') as SimEmployee;
      expect(boss).toBeDefined();
      expect(e.supervisorId).toBe(boss.employeeNumber);
      expect(e.supervisor).toBe(`${boss.firstName} ${boss.lastName}`);
    }
    expect(employees.filter((e) => e.status === 'Inactive')).toHaveLength(50);
    expect(employees.filter((e) => e.excluded)).toHaveLength(20);
    expect(employees.filter((e) => (e.hireDate ?? '') > '2024-06-01')).toHaveLength(7);
    expect(employees.filter((e) => e.workEmail === '')).toHaveLength(9);
    const emails = employees.map((e) => (e.workEmail ?? '').toLowerCase()).filter((m) => m !== '');
    expect(new Set(emails).size).toBe(emails.length);
    expect(employees.some((e) => e.workEmail !== e.workEmail?.toLowerCase())).toBe(true);
    expect(employees.some((e) => e.middleName === '')).toBe(true);
    expect(employees.some((e) => e.preferredName !== '')).toBe(true);
  });

  it('serves a 50,000-employee company in one report', async () => {
    // Prepare
    const local = createBambooHrSimulator({ logRequests: false });
    local.addCompany({ subdomain: 'big', keys: [{ apiKey: KEY }], employees: generateEmployees({ count: 50_000, seed: 9, today: '2024-06-01' }) });
    const started = await local.start();

    // Act
    const response = await fetch(`${started.apiBase}/big/v1/reports/custom?format=JSON&onlyCurrent=true`, {
      method: 'POST',
      headers: { authorization: AUTH, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 't', fields: ['firstName', 'lastName', 'workEmail', 'supervisorEId', 'status'] }),
    });
    const answer = (await response.json()) as { employees: unknown[] };
    await local.stop();

    // Assess
    expect(answer.employees).toHaveLength(50_000);
    expect(local.requestCount('big')).toBe(1);
  });
});
