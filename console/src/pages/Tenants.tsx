import { useState } from 'react';
import { api } from '../api';
import { Badge, Counts, ErrorBox, Loading, TenantStatus, Time, useLoad } from '../components';
import { plural } from '../format';
import type { TenantView } from '../types';

interface AttentionItem {
  tenant: TenantView;
  kind: 'needs-attention' | 'held' | 'stale';
  text: string;
}

const attentionText = (t: TenantView, kind: AttentionItem['kind']): string =>
  kind === 'needs-attention'
    ? (t.statusReason ?? 'Its last run failed and it stopped syncing.') +
      (t.attention ? ` Probing again ${t.attention.probes > 0 ? `(${plural(t.attention.probes, 'probe')} failed so far)` : 'automatically'}.` : '')
    : kind === 'held'
      ? 'The safeguard held its last run: review who would leave or come back, then allow the run or fix the data.'
      : `No successful sync since ${t.lastSuccessAt ? new Date(t.lastSuccessAt).toLocaleString() : 'it was registered'}: check its runs.`;

/**
 * What needs a person now: tenants that need attention, held runs, stale tenants and failed jobs.
 * Read from the tenants' current state (not from past alerts), so it empties as problems are fixed.
 */
const Attention = () => {
  const load = useLoad(async () => {
    const byStatus = (status: string) => api<{ tenants: TenantView[] }>('GET', `/tenants?status=${status}`).then((r) => r.tenants);
    const [attention, held, stale, letters] = await Promise.all([
      byStatus('needs-attention'),
      byStatus('held'),
      byStatus('stale'),
      // A count, not a listing: reading the messages would hide them from the Failed jobs page meanwhile.
      api<{ waiting: number; inFlight: number }>('GET', '/dead-letters/count').then(
        (r) => r.waiting + r.inFlight,
        () => null,
      ),
    ]);
    const seen = new Set<string>();
    const items: AttentionItem[] = [];
    for (const [kind, list] of [['needs-attention', attention], ['held', held], ['stale', stale]] as const) {
      for (const tenant of list) {
        if (seen.has(tenant.tenantId) || (kind === 'stale' && tenant.status !== 'active')) continue;
        seen.add(tenant.tenantId);
        items.push({ tenant, kind, text: attentionText(tenant, kind) });
      }
    }
    return { items, failedJobs: letters };
  }, []);
  const value = load.value;
  const total = value ? value.items.length + (value.failedJobs ? 1 : 0) : 0;
  return (
    <section className={`panel ${total > 0 ? 'panel-held' : 'panel-ok'}`} aria-labelledby="attention-title" data-count={value ? total : ''}>
      <div className="panel-head">
        <h2 id="attention-title">Needs a person{value && total > 0 ? ` (${total})` : ''}</h2>
        <button type="button" onClick={load.reload} disabled={load.loading}>
          Refresh
        </button>
      </div>
      <ErrorBox error={load.error} title="Could not check what needs attention." />
      {value === undefined ? (
        load.error ? null : <Loading what="what needs attention" />
      ) : total === 0 ? (
        <p>Nothing: every active tenant synced recently and no job failed.</p>
      ) : (
        <ul className="attention-list" aria-label="What needs a person">
          {value.items.map(({ tenant, kind, text }) => (
            <li key={tenant.tenantId} data-attention={kind} data-tenant={tenant.tenantId}>
              <Badge status={kind} /> <a href={`#/tenants/${encodeURIComponent(tenant.tenantId)}`}>{tenant.tenantId}</a>{' '}
              <span className="small">{text}</span>
            </li>
          ))}
          {value.failedJobs ? (
            <li data-attention="failed-jobs">
              <Badge status="failed" /> <a href="#/failed-jobs">{plural(value.failedJobs, 'failed job')}</a>{' '}
              <span className="small">in the dead-letter queue: fix the cause, then redrive them.</span>
            </li>
          ) : null}
        </ul>
      )}
    </section>
  );
};

const FILTERS = [
  { value: '', label: 'All statuses' },
  { value: 'needs-attention', label: 'Needs attention' },
  { value: 'held', label: 'Held' },
  { value: 'stale', label: 'Stale (no recent success)' },
  { value: 'active', label: 'Active' },
  { value: 'disabled', label: 'Disabled' },
] as const;

export const TenantsPage = () => {
  const [status, setStatus] = useState('');
  const tenants = useLoad(
    () => api<{ tenants: TenantView[] }>('GET', `/tenants${status ? `?status=${encodeURIComponent(status)}` : ''}`).then((r) => r.tenants),
    [status],
  );
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Tenants</h1>
        <a className="button primary" href="#/register">
          Register a tenant
        </a>
      </div>
      <Attention />
      <div className="toolbar">
        <label htmlFor="status-filter">Show</label>
        <select id="status-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={tenants.reload} disabled={tenants.loading}>
          Refresh
        </button>
        <span className="muted">Tenants that need attention or are held come first.</span>
      </div>
      <ErrorBox error={tenants.error} title="Could not list the tenants." />
      {tenants.value === undefined ? (
        tenants.error ? null : <Loading what="tenants" />
      ) : tenants.value.length === 0 ? (
        <p className="empty">{status ? 'No tenant has this status.' : 'No tenant yet. Register the first one.'}</p>
      ) : (
        <table className="data" aria-label="Tenants">
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Subdomain</th>
              <th scope="col">Status</th>
              <th scope="col">Last run</th>
              <th scope="col">Last success</th>
              <th scope="col">Result</th>
              <th scope="col">Changes</th>
              <th scope="col" className="num">
                Employees synced
              </th>
            </tr>
          </thead>
          <tbody>
            {tenants.value.map((t) => (
              <tr key={t.tenantId} data-tenant={t.tenantId}>
                <th scope="row">
                  <a href={`#/tenants/${encodeURIComponent(t.tenantId)}`}>{t.tenantId}</a>
                </th>
                <td>{t.subdomain}</td>
                <td>
                  <TenantStatus tenant={t} />
                  {t.statusReason ? <div className="muted small">{t.statusReason}</div> : null}
                </td>
                <td>{t.lastRun ? <Time iso={t.lastRun.finishedAt ?? t.lastRun.startedAt} /> : <span className="muted">Never</span>}</td>
                <td>{t.lastSuccessAt ? <Time iso={t.lastSuccessAt} /> : <span className="muted">Never</span>}</td>
                <td>
                  {t.lastRun ? <Badge status={t.lastRun.status} /> : null}
                  {t.lastRun?.error ? <div className="small error-text">{t.lastRun.error}</div> : null}
                  {t.lastRun && t.lastRun.warnings > 0 ? <div className="small muted">{t.lastRun.warnings} warning(s)</div> : null}
                </td>
                <td>{t.lastRun ? <Counts counts={t.lastRun.counts} /> : null}</td>
                <td className="num">{t.lastRun?.employeesSynced ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
};
