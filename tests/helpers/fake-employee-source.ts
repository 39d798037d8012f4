import type { RawEmployeeRow, RawFieldMeta } from '../../lib/bamboohr/raw-schema.js';
import type { ChangedSince, EmployeeSource, ReportRequest, ReportResult, WebhookRegistration } from '../../lib/ports.js';

/**
 * An in-memory BambooHR for use-case tests: rows by id, fields the key cannot see, and an error to
 * throw on the next calls. (HTTP behaviour is tested against the simulator in tests/integration.)
 */
export class FakeEmployeeSource implements EmployeeSource {
  rows = new Map<string, RawEmployeeRow>();
  hiddenFields = new Set<string>();
  fields: RawFieldMeta[] = [{ id: '4501', name: 'Skip Elevo Sync', type: 'checkbox' }];
  changed: ChangedSince = { latest: null, employees: [] };
  failWith: Error | null = null;
  requestCount = 0;
  readonly reportRequests: ReportRequest[] = [];

  constructor(rows: RawEmployeeRow[] = []) {
    for (const row of rows) this.rows.set(row.id, row);
  }

  private call() {
    this.requestCount += 1;
    if (this.failWith) throw this.failWith;
  }

  async fetchReport(request: ReportRequest): Promise<ReportResult> {
    this.call();
    this.reportRequests.push(request);
    const visible = request.fields.filter((f) => !this.hiddenFields.has(f));
    const wanted = request.employeeIds ? new Set(request.employeeIds) : null;
    const employees = [...this.rows.values()]
      .filter((row) => !wanted || wanted.has(row.id))
      .map((row) => {
        const out: RawEmployeeRow = { id: row.id };
        for (const field of visible) if (field in row) out[field] = row[field];
        return out;
      });
    return { employees, missingFields: request.fields.filter((f) => this.hiddenFields.has(f)) };
  }

  async fetchChangedSince(_since: string): Promise<ChangedSince> {
    this.call();
    return this.changed;
  }

  async listFields(): Promise<RawFieldMeta[]> {
    this.call();
    return this.fields;
  }

  /** The webhooks this key created (and not deleted), and the ids deleted. */
  webhooks: Array<{ id: string; url: string }> = [];
  readonly deletedWebhooks: string[] = [];
  private webhookSeq = 0;

  async createWebhook(input: { name: string; url: string; monitorFields: string[] }): Promise<WebhookRegistration> {
    this.call();
    this.webhookSeq += 1;
    const id = String(this.webhookSeq);
    this.webhooks.push({ id, url: input.url });
    return { id, privateKey: 'webhook-private-key' };
  }

  async listWebhooks(): Promise<Array<{ id: string; url: string }>> {
    this.call();
    return this.webhooks.map((w) => ({ ...w }));
  }

  async deleteWebhook(id: string): Promise<void> {
    this.call();
    this.webhooks = this.webhooks.filter((w) => w.id !== id);
    this.deletedWebhooks.push(id);
  }

  set(row: RawEmployeeRow) {
    this.rows.set(row.id, row);
  }
}
