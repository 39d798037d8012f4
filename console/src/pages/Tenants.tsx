import { useState } from 'react';
import { api } from '../api';
import { Badge, Counts, ErrorBox, Loading, TenantStatus, Time, useLoad } from '../components';
import type { TenantView } from '../types';

const FILTERS = [
  { value: '', label: 'All statuses' },
  { value: 'needs-attention', label: 'Needs attention' },
  { value: 'held', label: 'Held' },
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
