import { useEffect, useState, type FormEvent } from 'react';
import { ConnectLinkForm } from '../connect-link';
import { api, ApiError } from '../api';
import { Badge, Check, Checklist, ConfirmDialog, Counts, ErrorBox, Loading, TenantStatus, Time, useLoad, Warnings } from '../components';
import { formatDuration, plural } from '../format';
import { RunChart } from '../charts';
import type { AccessCheck, ActivityEvent, ChangeDraft, EmployeeCandidate, ChangeRecord, HeldRun, RunRecord, SyncPreview, TenantView } from '../types';

const path = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}`;
const FINAL = new Set(['succeeded', 'held', 'failed']);

const personName = (e: ChangeDraft['employee']): string =>
  [e.preferredName ?? e.firstName, e.lastName].filter(Boolean).join(' ') || `Employee ${e.id}`;

const REASON_TEXT: Record<string, string> = {
  inactive: 'inactive in BambooHR',
  excluded: 'excluded by the checkbox field',
  deleted: 'no longer returned by BambooHR',
};

const heldText = (held: HeldRun): string =>
  `It would deactivate ${held.wouldDeactivate}${held.wouldReactivate ? ` and reactivate ${held.wouldReactivate}` : ''} of ${held.syncedBefore} synced employees; ` +
  `runs that deactivate (or reactivate) more than ${held.thresholdPct}% and more than ${held.thresholdMin} are held.`;

/** A run from the moment it was queued until it ends. */
const SyncProgress = ({ tenantId, runId, onDone }: { tenantId: string; runId: string; onDone: () => void }) => {
  const [run, setRun] = useState<RunRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [started] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const answer = await api<{ run: RunRecord }>('GET', `${path(tenantId)}/runs/${encodeURIComponent(runId)}`);
        if (stopped) return;
        setRun(answer.run);
        setError(null);
        if (FINAL.has(answer.run.status)) {
          onDone();
          return;
        }
      } catch (e) {
        if (stopped) return;
        if (!(e instanceof ApiError && e.code === 'run-not-found')) setError(e);
      }
      setNow(Date.now());
      timer = window.setTimeout(poll, 600);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
    // onDone is a fresh closure at each render; the poll only needs the latest one at the end.
  }, [tenantId, runId]);

  const state = run ? run.status : 'queued';
  const finished = FINAL.has(state);
  return (
    <section className="panel" aria-labelledby="progress-title" data-run={runId} data-state={state}>
      <h2 id="progress-title">{finished ? 'Sync finished' : 'Sync in progress'}</h2>
      <ol className="steps">
        <li className="done">Queued</li>
        <li className={run ? 'done' : 'current'}>{run ? 'Taken by the worker' : 'Waiting for the worker to take the job…'}</li>
        <li className={finished ? 'done' : run ? 'current' : ''}>{finished ? 'Finished' : run ? 'Pulling from BambooHR and writing the changes…' : 'Finish'}</li>
      </ol>
      <div role="status" aria-live="polite" className="progress-status">
        {finished && run ? (
          <>
            <strong>Run result: </strong>
            <Badge status={run.status} /> <Counts counts={run.counts} />
            {run.employeesSynced !== null ? <span className="muted"> · {plural(run.employeesSynced, 'employee')} synced</span> : null}
          </>
        ) : (
          <>
            <progress aria-label="Sync progress" />{' '}
            <span>{run ? 'Running' : 'Queued'}: {Math.round((now - started) / 1000)} s</span>
          </>
        )}
      </div>
      {run?.held ? <p className="attention">The run was held. {heldText(run.held)}</p> : null}
      {run?.error ? <ErrorBox error={new Error(run.error.message)} title="The run failed." /> : null}
      {run ? <Warnings warnings={run.warnings} /> : null}
      <ErrorBox error={error} title="Could not read the run." />
    </section>
  );
};

const ChangesTable = ({ changes, label }: { changes: readonly (ChangeDraft | ChangeRecord)[]; label: string }) => (
  <table className="data" aria-label={label}>
    <thead>
      <tr>
        {'seq' in (changes[0] ?? {}) ? <th scope="col">Seq</th> : null}
        <th scope="col">Change</th>
        <th scope="col">Employee</th>
        <th scope="col">Fields</th>
        {'at' in (changes[0] ?? {}) ? <th scope="col">When</th> : null}
      </tr>
    </thead>
    <tbody>
      {changes.map((c, i) => (
        <tr key={'seq' in c ? c.seq : i}>
          {'seq' in c ? <td className="num">{c.seq}</td> : null}
          <td>
            <Badge status={`change-${c.type}`}>{c.type}</Badge>
            {c.reason ? <div className="small muted">{REASON_TEXT[c.reason] ?? c.reason}</div> : null}
          </td>
          <td>
            {personName(c.employee)} <span className="muted">#{c.employeeId}</span>
            {c.employee.workEmail ? <div className="small muted">{c.employee.workEmail}</div> : null}
          </td>
          <td className="small">{Object.keys(c.changes).join(', ') || '—'}</td>
          {'at' in c ? (
            <td>
              <Time iso={c.at} />
            </td>
          ) : null}
        </tr>
      ))}
    </tbody>
  </table>
);

const PreviewPanel = ({ preview, onClose }: { preview: SyncPreview; onClose: () => void }) => (
  <section className="panel" aria-labelledby="preview-title" data-outcome={preview.outcome}>
    <div className="panel-head">
      <h2 id="preview-title">Preview: a dry run, nothing was written</h2>
      <button type="button" onClick={onClose}>
        Close the preview
      </button>
    </div>
    <p>
      Pulled {plural(preview.pulled, 'employee')} from BambooHR; {plural(preview.employeesSynced, 'employee')} would be synced.
    </p>
    <p>
      <strong>A real run now: </strong>
      {preview.outcome === 'held' && preview.held ? (
        <>
          <Badge status="held">would be held</Badge> {heldText(preview.held)}
        </>
      ) : (
        <Badge status="apply">would apply</Badge>
      )}{' '}
      <Counts counts={preview.counts} />
    </p>
    <Warnings warnings={preview.warnings} />
    {preview.changes.length > 0 ? (
      <>
        <h3>
          First changes ({preview.changes.length} of {preview.totalChanges})
        </h3>
        <ChangesTable changes={preview.changes} label="Changes the preview would write" />
      </>
    ) : (
      <p className="empty">No changes: the feed is up to date.</p>
    )}
  </section>
);

const RunsTable = ({ runs }: { runs: readonly RunRecord[] }) =>
  runs.length === 0 ? (
    <p className="empty">No run yet.</p>
  ) : (
    <table className="data" aria-label="Run history">
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Kind</th>
          <th scope="col">Result</th>
          <th scope="col">Changes</th>
          <th scope="col" className="num">
            Employees synced
          </th>
          <th scope="col">Took</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId} data-run={run.runId} data-status={run.status}>
            <td>
              <Time iso={run.startedAt} />
            </td>
            <td>
              {run.kind} <span className="muted small">by {run.requestedBy}</span>
            </td>
            <td>
              <Badge status={run.status} />
            </td>
            <td>
              <Counts counts={run.counts} />
            </td>
            <td className="num">{run.employeesSynced ?? '—'}</td>
            <td>{formatDuration(run.startedAt, run.finishedAt)}</td>
            <td className="details">
              {run.error ? <div className="error-text">{run.error.message}</div> : null}
              {run.held ? <div className="attention">{heldText(run.held)}</div> : null}
              {run.warnings.length > 0 ? (
                <details>
                  <summary>{plural(run.warnings.length, 'warning')}</summary>
                  <Warnings warnings={run.warnings} />
                </details>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

/** The newest changes of the feed, read back from where the recent runs wrote. */
const LatestChanges = ({ tenantId, runs }: { tenantId: string; runs: readonly RunRecord[] }) => {
  const lastSeq = Math.max(0, ...runs.map((r) => r.feed?.lastSeq ?? 0));
  const count = 20;
  const changes = useLoad(
    () =>
      lastSeq === 0
        ? Promise.resolve([] as ChangeRecord[])
        : api<{ changes: ChangeRecord[] }>('GET', `${path(tenantId)}/changes?after=${Math.max(0, lastSeq - count)}&limit=${count}`).then((r) =>
            [...r.changes].reverse(),
          ),
    [tenantId, lastSeq],
  );
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">Latest changes in the feed</h2>
      <ErrorBox error={changes.error} title="Could not read the feed." />
      {changes.value === undefined ? (
        <Loading what="changes" />
      ) : changes.value.length === 0 ? (
        <p className="empty">No change written by the recent runs.</p>
      ) : (
        <ChangesTable changes={changes.value} label="Latest changes" />
      )}
    </section>
  );
};

const ACTIVITY_TEXT: Record<string, string> = {
  registered: 'Registered',
  'configuration-changed': 'Configuration changed',
  disabled: 'Disabled',
  enabled: 'Enabled',
  removed: 'Removed',
  'needs-attention': 'Needs attention',
  active: 'Active again',
  recovered: 'Recovered',
  held: 'Run held',
  'held-allowed': 'Held run allowed',
  'dead-lettered': 'Job dead-lettered',
  redriven: 'Job redriven',
  stale: 'Stale',
  invited: 'Connect link made',
};

/** What happened to the tenant and who did it, newest first; older pages on demand. */
const Activity = ({ tenantId, version }: { tenantId: string; version: unknown }) => {
  const pageSize = 20;
  const [older, setOlder] = useState<ActivityEvent[]>([]);
  const [more, setMore] = useState<{ busy: boolean; error: unknown; done: boolean }>({ busy: false, error: null, done: false });
  const latest = useLoad(() => {
    setOlder([]);
    setMore({ busy: false, error: null, done: false });
    return api<{ activity: ActivityEvent[] }>('GET', `${path(tenantId)}/activity?limit=${pageSize}`).then((r) => r.activity);
  }, [tenantId, version]);
  const events = [...(latest.value ?? []), ...older];
  const loadOlder = async () => {
    const last = events[events.length - 1];
    if (!last) return;
    setMore({ busy: true, error: null, done: false });
    try {
      const page = (await api<{ activity: ActivityEvent[] }>('GET', `${path(tenantId)}/activity?limit=${pageSize}&before=${encodeURIComponent(last.id)}`)).activity;
      setOlder((o) => [...o, ...page]);
      setMore({ busy: false, error: null, done: page.length < pageSize });
    } catch (error) {
      setMore({ busy: false, error, done: false });
    }
  };
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <p className="muted small">What happened to this tenant and who did it. Problems in red or amber were also sent as alerts.</p>
      <ErrorBox error={latest.error} title="Could not read the activity." />
      {latest.value === undefined ? (
        latest.error ? null : <Loading what="the activity" />
      ) : events.length === 0 ? (
        <p className="empty">Nothing recorded yet.</p>
      ) : (
        <>
          <table className="data" aria-label="Activity">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-activity={e.type}>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>
                    <Badge status={`activity-${e.type}`}>{ACTIVITY_TEXT[e.type] ?? e.type}</Badge>
                  </td>
                  <td className="details">
                    {e.message}
                    {e.runId ? <div className="small muted">run {e.runId}</div> : null}
                  </td>
                  <td className="small">{e.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!more.done && events.length >= pageSize ? (
            <button type="button" onClick={() => void loadOlder()} disabled={more.busy}>
              {more.busy ? 'Loading…' : 'Show older activity'}
            </button>
          ) : null}
          <ErrorBox error={more.error} title="Could not read older activity." />
        </>
      )}
    </section>
  );
};

/** "Why is (or isn't) this person in the product?": search by name, email, employee number or id. */
const FindPerson = ({ tenantId }: { tenantId: string }) => {
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);
  const [found, setFound] = useState<EmployeeCandidate[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (q.trim() === '') return;
    setBusy(true);
    setError(null);
    setFound(null);
    try {
      const { candidates } = await api<{ candidates: EmployeeCandidate[] }>('GET', `${path(tenantId)}/employees/search?q=${encodeURIComponent(q.trim())}`);
      if (candidates.length === 1) window.location.hash = `#/tenants/${encodeURIComponent(tenantId)}/employees/${encodeURIComponent(candidates[0]!.employeeId)}`;
      else setFound(candidates);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="find-title">
      <h2 id="find-title">Why is (or isn't) someone in the product?</h2>
      <form className="form inline-form" role="search" onSubmit={submit}>
        <div className="field">
          <label htmlFor="find-person">Name, work email, employee # or BambooHR id</label>
          <input id="find-person" type="search" value={q} onChange={(e) => setQ(e.target.value)} spellCheck={false} autoComplete="off" />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Looking…' : 'Explain'}
        </button>
      </form>
      <ErrorBox error={error} title="Could not search." />
      {found !== null && found.length === 0 ? <p className="empty">Nobody matches, in the product or in BambooHR.</p> : null}
      {found !== null && found.length > 1 ? (
        <ul className="search-results" aria-label="People found">
          {found.map((c) => (
            <li key={c.employeeId}>
              <a href={`#/tenants/${encodeURIComponent(tenantId)}/employees/${encodeURIComponent(c.employeeId)}`}>
                {c.name ?? 'Unnamed'} #{c.employeeId}
              </a>{' '}
              <span className="muted small">
                {c.workEmail ?? 'no work email'}
                {c.inProduct ? '' : ' · not in the product'}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
};

const UpdateKey = ({ tenantId, onSaved }: { tenantId: string; onSaved: () => void }) => {
  const [apiKey, setApiKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ access: AccessCheck | null; warnings: string[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { apiKey };
    setApiKey('');
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      const answer = await api<{ access: AccessCheck | null; warnings: string[] }>('PATCH', path(tenantId), body);
      setResult(answer);
      onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="key-title">
      <h2 id="key-title">Update the API key</h2>
      <form className="form inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="newApiKey">New API key</label>
          <input
            id="newApiKey"
            type="password"
            required
            autoComplete="new-password"
            spellCheck={false}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking with BambooHR…' : 'Check and save the key'}
        </button>
      </form>
      <ErrorBox error={error} title="The key was not saved." />
      {result ? (
        <div className="panel panel-ok" role="status">
          <ul className="checks">
            <Check ok>Key accepted and saved</Check>
          </ul>
          {result.access ? <Checklist items={result.access.checklist} /> : null}
          <Warnings warnings={result.warnings} />
        </div>
      ) : null}
    </section>
  );
};

export const TenantPage = ({ tenantId }: { tenantId: string }) => {
  const data = useLoad(() => api<{ tenant: TenantView; runs: RunRecord[] }>('GET', path(tenantId)), [tenantId]);
  const [activeRunId, setActiveRunId] = useState<string | null>(null);
  const [preview, setPreview] = useState<SyncPreview | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState(false);

  const act = async (what: string, action: () => Promise<void>) => {
    setBusy(what);
    setActionError(null);
    try {
      await action();
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(null);
    }
  };
  /** Allowing approves exactly the held run support looked at (its departures and returns), nothing found later. */
  const startSync = (heldRunId: string | null) =>
    act('sync', async () => {
      const { runId } = await api<{ runId: string }>('POST', `${path(tenantId)}/syncs`, heldRunId ? { allowDeactivations: true, heldRunId } : {});
      setActiveRunId(runId);
      setPreview(null);
    });
  const runPreview = () =>
    act('preview', async () => {
      setPreview(null);
      setPreview((await api<{ preview: SyncPreview }>('POST', `${path(tenantId)}/syncs`, { dryRun: true })).preview);
    });
  const setStatus = (status: 'active' | 'disabled') =>
    act('status', async () => {
      await api('PATCH', path(tenantId), { status });
      data.reload();
    });

  if (data.value === undefined) {
    return (
      <>
        <h1 tabIndex={-1}>Tenant {tenantId}</h1>
        {data.error ? <ErrorBox error={data.error} /> : <Loading what="the tenant" />}
      </>
    );
  }
  const { tenant, runs } = data.value;
  const heldRun = tenant.held ? runs.find((r) => r.status === 'held' && r.held) : undefined;
  const syncing = activeRunId !== null && !FINAL.has(runs.find((r) => r.runId === activeRunId)?.status ?? '');

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>
          Tenant {tenant.tenantId} <TenantStatus tenant={tenant} />
        </h1>
        <a href="#/">← All tenants</a>
      </div>
      {tenant.statusReason ? <p className="attention">{tenant.statusReason}</p> : null}

      <div className="actions toolbar" role="group" aria-label="Tenant actions">
        <button type="button" onClick={runPreview} disabled={busy !== null}>
          {busy === 'preview' ? 'Previewing…' : 'Preview sync'}
        </button>
        <button type="button" className="primary" onClick={() => startSync(null)} disabled={busy !== null || syncing || tenant.status === 'disabled'}>
          Sync now
        </button>
        {tenant.status === 'disabled' ? (
          <button type="button" onClick={() => setStatus('active')} disabled={busy !== null}>
            Enable
          </button>
        ) : (
          <button type="button" onClick={() => setStatus('disabled')} disabled={busy !== null}>
            Disable
          </button>
        )}
        <button type="button" onClick={data.reload}>
          Refresh
        </button>
        {tenant.status === 'disabled' ? <span className="muted">Disabled: no sync runs until it is enabled.</span> : null}
      </div>
      <ErrorBox error={actionError} />

      {tenant.held ? (
        <section className="panel panel-held" aria-labelledby="held-title">
          <h2 id="held-title">A sync is held</h2>
          {heldRun?.held ? <p>{heldText(heldRun.held)} Nothing was written.</p> : <p>The safeguard held the last run: nothing was written.</p>}
          <p>Check with the customer that these people really left (or really should come back); then allow exactly this run.</p>
          <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={!heldRun || busy !== null || syncing}>
            Allow deactivations…
          </button>
        </section>
      ) : null}
      {heldRun?.held ? (
        <ConfirmDialog
          open={confirming}
          title={
            heldRun.held.wouldReactivate > 0 && heldRun.held.wouldDeactivate === 0
              ? `Reactivate ${plural(heldRun.held.wouldReactivate, 'employee')}?`
              : `Deactivate ${plural(heldRun.held.wouldDeactivate, 'employee')}${heldRun.held.wouldReactivate ? ` and reactivate ${heldRun.held.wouldReactivate}` : ''}?`
          }
          confirmLabel="Allow and sync now"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void startSync(heldRun.runId);
          }}
        >
          <p>
            These employees leave ({heldRun.held.wouldDeactivate}) or come back to ({heldRun.held.wouldReactivate}) the performance-review product (
            {heldRun.held.syncedBefore} synced now):
          </p>
          <ul className="people" aria-label="Who would be deactivated or reactivated">
            {heldRun.held.sample.map((p) => (
              <li key={p.employeeId}>
                {p.name ?? 'Unnamed'} <span className="muted">#{p.employeeId}</span>
                <span className="muted small"> · {p.type === 'reactivated' ? 'comes back' : p.reason ? (REASON_TEXT[p.reason] ?? p.reason) : 'leaves'}</span>
              </li>
            ))}
          </ul>
          {heldRun.held.wouldDeactivate + heldRun.held.wouldReactivate > heldRun.held.sample.length ? (
            <p>…and {heldRun.held.wouldDeactivate + heldRun.held.wouldReactivate - heldRun.held.sample.length} more.</p>
          ) : null}
          <p>
            Allowing starts a sync now that writes exactly these changes to the feed. If BambooHR says something else by then, the run is held again
            for you to review.
          </p>
        </ConfirmDialog>
      ) : null}

      {activeRunId ? <SyncProgress key={activeRunId} tenantId={tenantId} runId={activeRunId} onDone={data.reload} /> : null}
      {preview ? <PreviewPanel preview={preview} onClose={() => setPreview(null)} /> : null}

      <section aria-labelledby="config-title">
        <h2 id="config-title">Configuration</h2>
        <dl className="config">
          <dt>Subdomain</dt>
          <dd>{tenant.subdomain}.bamboohr.com</dd>
          <dt>Exclusion field</dt>
          <dd>{tenant.exclusionField ? `${tenant.exclusionField}${tenant.exclusionFieldId ? ` (field ${tenant.exclusionFieldId})` : ''}` : 'Off'}</dd>
          <dt>Webhook</dt>
          <dd>{tenant.webhookEnabled ? 'On: changes sync within a minute' : 'Off: changes sync on the schedule'}</dd>
          <dt>Safeguard</dt>
          <dd>
            Hold a run that would deactivate more than {tenant.safeguards.deactivationThresholdPct}% and more than{' '}
            {tenant.safeguards.deactivationMin} of the synced employees
          </dd>
          <dt>Registered</dt>
          <dd>
            <Time iso={tenant.createdAt} />
          </dd>
          <dt>Changed</dt>
          <dd>
            <Time iso={tenant.updatedAt} />
          </dd>
        </dl>
      </section>

      <FindPerson tenantId={tenantId} />

      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Run history</h2>
        {runs.length > 0 ? <RunChart runs={runs} /> : null}
        <RunsTable runs={runs} />
      </section>

      <LatestChanges tenantId={tenantId} runs={runs} />
      <Activity tenantId={tenantId} version={data.value} />
      <UpdateKey tenantId={tenantId} onSaved={data.reload} />
      <section aria-labelledby="reconnect-title">
        <h2 id="reconnect-title">Connect again</h2>
        <p className="help">
          A one-time link for the customer's BambooHR admin to connect this company again themselves: after a refused OAuth grant, or to
          replace a key without sending it to you.
        </p>
        <ConnectLinkForm tenantId={tenantId} />
      </section>
    </>
  );
};
