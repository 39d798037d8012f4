/**
 * The naive way many connectors pull BambooHR, for comparison only: list the employee ids, then one
 * `GET /v1/employees/{id}?fields=...` per employee, `concurrency` at a time. Same HTTP library (got),
 * same headers and the same row validation as the real client, so that only the access pattern differs.
 *
 * The simulator has no `/v1/employees/directory`, so the id list comes from
 * `GET /v1/employees/changed?since=<epoch>` (every employee ever inserted or updated): one request,
 * like the directory would be.
 */
import got from 'got';
import { rawChangedEmployeesSchema, rawEmployeeRowSchema, type RawEmployeeRow } from '../lib/bamboohr/raw-schema.js';
import type { EmployeeSource, EmployeeSourceFactory, ReportRequest, ReportResult } from '../lib/ports.js';

export const createNaiveSourceFactory =
  (settings: { apiBase: string; timeoutMs: number }, concurrency = 10): EmployeeSourceFactory =>
  ({ subdomain, apiKey }): EmployeeSource => {
    let requestCount = 0;
    const baseUrl = `${settings.apiBase.replace(/\/+$/, '')}/${encodeURIComponent(subdomain)}/v1`;
    const http = got.extend({
      headers: {
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${apiKey}:x`).toString('base64')}`,
        'user-agent': 'bamboohr-sync-bench-naive',
      },
      timeout: { request: settings.timeoutMs },
      responseType: 'text',
      followRedirect: false,
      retry: { limit: 0 },
      hooks: {
        beforeRequest: [
          () => {
            requestCount += 1;
          },
        ],
      },
    });
    const getJson = async (path: string, searchParams: Record<string, string>): Promise<unknown> =>
      JSON.parse((await http.get(`${baseUrl}/${path}`, { searchParams })).body) as unknown;

    const listIds = async (): Promise<string[]> => {
      const answer = rawChangedEmployeesSchema.parse(await getJson('employees/changed', { since: '1970-01-01T00:00:00+00:00' }));
      return Object.values(answer.employees)
        .filter((e) => e.action !== 'Deleted')
        .map((e) => e.id);
    };

    const fetchReport = async (request: ReportRequest): Promise<ReportResult> => {
      const fields = [...new Set(request.fields)];
      const ids = request.employeeIds ? [...new Set(request.employeeIds)] : await listIds();
      const rows: RawEmployeeRow[] = new Array(ids.length);
      let next = 0;
      const lane = async () => {
        while (next < ids.length) {
          const index = next++;
          const id = ids[index] as string;
          rows[index] = rawEmployeeRowSchema.parse(await getJson(`employees/${encodeURIComponent(id)}`, { fields: fields.join(',') }));
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, lane));
      const first = rows[0];
      return { employees: rows, missingFields: first ? fields.filter((f) => !(f in first)) : [] };
    };

    const unsupported = async (): Promise<never> => {
      throw new Error('The naive bench source only pulls employees.');
    };
    return {
      fetchReport,
      fetchChangedSince: unsupported,
      listFields: unsupported,
      createWebhook: unsupported,
      listWebhooks: unsupported,
      deleteWebhook: unsupported,
      get requestCount() {
        return requestCount;
      },
    };
  };
