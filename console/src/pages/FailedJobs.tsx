import { useState } from 'react';
import { api } from '../api';
import { ConfirmDialog, ErrorBox, Loading, Time, useLoad } from '../components';
import { plural } from '../format';
import type { DeadLetter } from '../types';

export const FailedJobsPage = () => {
  const letters = useLoad(() => api<{ deadLetters: DeadLetter[] }>('GET', '/dead-letters?max=100').then((r) => r.deadLetters), []);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<'selected' | 'all' | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const redrive = async (which: 'selected' | 'all') => {
    setConfirm(null);
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const body = which === 'all' ? {} : { messageIds: [...selected] };
      const result = await api<{ redriven: number; poison?: string[]; notFound?: string[] }>('POST', '/dead-letters/redrive', body);
      const left = [
        result.poison?.length ? `${plural(result.poison.length, 'message')} left in place: not a sync job, so a retry cannot fix it.` : '',
        result.notFound?.length ? `${plural(result.notFound.length, 'job')} no longer in the queue.` : '',
      ].filter(Boolean);
      setDone([`Moved ${plural(result.redriven, 'job')} back to the sync queue.`, ...left].join(' '));
      setSelected(new Set());
      letters.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const list = letters.value ?? [];
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Failed jobs</h1>
      </div>
      <p className="lead">Sync jobs the queue gave up on after repeated failures. Fix the cause (see the tenant's runs), then redrive them.</p>
      <div className="toolbar" role="group" aria-label="Failed job actions">
        <button type="button" onClick={() => setConfirm('selected')} disabled={busy || selected.size === 0}>
          Redrive selected ({selected.size})
        </button>
        <button type="button" onClick={() => setConfirm('all')} disabled={busy || list.length === 0}>
          Redrive all
        </button>
        <button type="button" onClick={letters.reload} disabled={letters.loading}>
          Refresh
        </button>
      </div>
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      <ErrorBox error={error} title="Could not redrive." />
      <ErrorBox error={letters.error} title="Could not read the dead-letter queue." />
      {letters.value === undefined ? (
        letters.error ? null : <Loading what="failed jobs" />
      ) : list.length === 0 ? (
        <p className="empty">No failed job. The dead-letter queue is empty.</p>
      ) : (
        <table className="data" aria-label="Failed jobs">
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">Select</span>
              </th>
              <th scope="col">Tenant</th>
              <th scope="col">Job</th>
              <th scope="col">Requested</th>
              <th scope="col" className="num">
                Deliveries
              </th>
              <th scope="col">First sent</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.messageId} data-job={d.job?.jobId ?? ''}>
                <td>
                  <input
                    type="checkbox"
                    id={`select-${d.messageId}`}
                    checked={selected.has(d.messageId)}
                    onChange={(e) => toggle(d.messageId, e.target.checked)}
                  />
                  <label htmlFor={`select-${d.messageId}`} className="sr-only">
                    Select job {d.job?.jobId ?? d.messageId}
                  </label>
                </td>
                <td>
                  {d.job ? (
                    <a href={`#/tenants/${encodeURIComponent(d.job.tenantId)}`}>{d.job.tenantId}</a>
                  ) : (
                    <span className="muted">{d.tenantId ?? 'unknown'}</span>
                  )}
                </td>
                <td>
                  {d.job ? (
                    <>
                      {d.job.kind} sync <span className="muted small">by {d.job.requestedBy}</span>
                      {d.job.employeeIds ? <div className="small muted">employees {d.job.employeeIds.slice(0, 10).join(', ')}</div> : null}
                      <div className="small muted">{d.job.jobId}</div>
                    </>
                  ) : (
                    <>
                      <span className="error-text">Not a sync job:</span> <code className="small">{d.rawBody}</code>
                    </>
                  )}
                </td>
                <td>{d.job ? <Time iso={d.job.requestedAt} /> : '—'}</td>
                <td className="num">{d.receiveCount}</td>
                <td>
                  <Time iso={d.sentAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === 'all' ? `Redrive all ${plural(list.length, 'job')}?` : `Redrive ${plural(selected.size, 'job')}?`}
        confirmLabel="Redrive"
        onCancel={() => setConfirm(null)}
        onConfirm={() => void redrive(confirm ?? 'selected')}
      >
        <p>They go back to the sync queue and run again. If the cause is not fixed, they fail again and come back here.</p>
      </ConfirmDialog>
    </>
  );
};
