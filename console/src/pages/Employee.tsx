import { api } from '../api';
import { OrgPicture } from '../charts';
import { Badge, ErrorBox, Loading, Time, useLoad } from '../components';
import type { EmployeeExplanation } from '../types';
import { EXPLAINED_FIELDS as FIELDS, shownValue as show } from '../../../lib/model/field-labels.js';

const REASON_BADGE: Record<string, string> = { synced: 'succeeded', 'pending-change': 'held', 'field-hidden': 'held' };

/** Why is (or isn't) this person in the product: the verdict, BambooHR and the product side by side, the history, the org. */
export const EmployeePage = ({ tenantId, who }: { tenantId: string; who: string }) => {
  const data = useLoad(
    () => api<{ explanation: EmployeeExplanation }>('GET', `/tenants/${encodeURIComponent(tenantId)}/employees/${encodeURIComponent(who)}/explain`).then((r) => r.explanation),
    [tenantId, who],
  );
  const back = <a href={`#/tenants/${encodeURIComponent(tenantId)}`}>← Tenant {tenantId}</a>;
  if (data.value === undefined) {
    return (
      <>
        <div className="page-head">
          <h1 tabIndex={-1}>Employee {who}</h1>
          {back}
        </div>
        {data.error ? <ErrorBox error={data.error} title="Could not explain this person." /> : <Loading what="what BambooHR and the product say" />}
      </>
    );
  }
  const x = data.value;
  const b = x.bamboohr.employee as Record<string, unknown> | null;
  const p = x.product?.employee as Record<string, unknown> | undefined;
  const name = [b?.preferredName ?? b?.firstName ?? p?.preferredName ?? p?.firstName, b?.lastName ?? p?.lastName].filter(Boolean).join(' ') || `Employee ${x.employeeId}`;
  const personState = x.product?.state === 'synced' ? 'synced' : x.product ? ((x.product.reason ?? 'inactive') as 'inactive') : 'not-synced';
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>
          {name} <span className="muted">#{x.employeeId}</span>
        </h1>
        {back}
      </div>
      <section className={`panel ${x.verdict === 'in-product' ? 'panel-ok' : 'panel-held'}`} aria-labelledby="verdict-title" data-verdict={x.verdict}>
        <h2 id="verdict-title" className="verdict">
          {x.verdict === 'in-product' ? 'In the product' : 'Not in the product'}
        </h2>
        <ul className="reasons" aria-label="Reasons">
          {x.reasons.map((r) => (
            <li key={r.code + r.message} data-code={r.code}>
              <Badge status={REASON_BADGE[r.code] ?? 'failed'}>{r.code}</Badge> {r.message}
            </li>
          ))}
        </ul>
        <p className="small muted">One BambooHR request{x.bamboohrRequests > 1 ? ` (and a lookup of names and emails)` : ''}; nothing was written.</p>
      </section>

      <section aria-labelledby="compare-title">
        <h2 id="compare-title">BambooHR now and what the product was told</h2>
        <table className="data compare" aria-label="BambooHR and the product side by side">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">BambooHR now</th>
              <th scope="col">Product (last told)</th>
            </tr>
          </thead>
          <tbody>
            {FIELDS.map(([label, key]) => {
              const left = b ? show(b[key]) : '—';
              const right = p ? show(p[key]) : '—';
              return (
                <tr key={key} className={b && p && left !== right ? 'differs' : undefined}>
                  <th scope="row">{label}</th>
                  <td>{left}</td>
                  <td>{right}</td>
                </tr>
              );
            })}
            <tr>
              <th scope="row">Manager</th>
              <td>{b ? show(b.sourceManagerId) : '—'}</td>
              <td>{p ? show(p.managerId) : '—'}</td>
            </tr>
            <tr>
              <th scope="row">Exclusion box</th>
              <td>{x.bamboohr.exclusion}</td>
              <td>{x.product ? (x.product.state === 'synced' ? 'synced' : `deactivated (${x.product.reason ?? ''})`) : 'never told'}</td>
            </tr>
          </tbody>
        </table>
        {x.bamboohr.hiddenFields.length > 0 ? <p className="attention">The key cannot see: {x.bamboohr.hiddenFields.join(', ')}.</p> : null}
        {x.bamboohr.terminationDate ? <p>Termination date: {x.bamboohr.terminationDate}</p> : null}
      </section>

      <section aria-labelledby="org-title">
        <h2 id="org-title">Place in the org</h2>
        <OrgPicture
          person={{ employeeId: x.employeeId, name, state: personState }}
          chain={x.org.chain}
          reports={x.org.reports}
          moreReports={x.org.moreReports}
        />
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">History in the feed</h2>
        {x.history.length === 0 ? (
          <p className="empty">No change for them in the feed (changes are kept 90 days).</p>
        ) : (
          <ol className="timeline" aria-label="History">
            {x.history.map((h) => (
              <li key={h.seq} data-seq={h.seq}>
                <Badge status={`change-${h.type}`}>{h.type}</Badge> {h.reason ? <span className="muted">({h.reason})</span> : null} seq {h.seq} ·{' '}
                <Time iso={h.at} />
                <div className="small muted">
                  {Object.keys(h.changes).join(', ') || 'no field'} · run {h.runId}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
};
