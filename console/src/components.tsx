import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { errorText } from './api';
import { formatCounts, formatRelative, formatTime } from './format';
import type { AccessChecklistItem, ChangeCounts, TenantView, Warning } from './types';

/** Re-renders every 30 s, so that "5 min ago" stays true. */
export const useNow = (): number => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
};

/** Loads something once and on `reload()`; keeps the last value while reloading. */
export const useLoad = <T,>(load: () => Promise<T>, deps: unknown[]) => {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = (generation.current += 1);
    setState((s) => ({ ...s, loading: true }));
    run().then(
      (value) => mine === generation.current && setState({ value, loading: false }),
      (error: unknown) => mine === generation.current && setState((s) => ({ value: s.value, error, loading: false })),
    );
  }, [run]);
  useEffect(() => {
    reload();
  }, [reload]);
  return { ...state, reload };
};

/** A time in the viewer's timezone and how long ago. */
export const Time = ({ iso, now }: { iso: string | null | undefined; now?: number }) => {
  const tick = useNow();
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)} <span className="muted">({formatRelative(iso, now ?? tick)})</span>
    </time>
  );
};

export const ErrorBox = ({ error, title }: { error: unknown; title?: string }) =>
  error ? (
    <div className="error" role="alert">
      {title ? <strong>{title} </strong> : null}
      {errorText(error)}
    </div>
  ) : null;

const STATUS_TEXT: Record<string, string> = {
  active: 'Active',
  disabled: 'Disabled',
  'needs-attention': 'Needs attention',
  held: 'Held',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  queued: 'Queued',
  apply: 'Would apply',
  stale: 'Stale',
};

export const Badge = ({ status, children }: { status: string; children?: ReactNode }) => (
  <span className={`badge badge-${status}`}>{children ?? STATUS_TEXT[status] ?? status}</span>
);

export const TenantStatus = ({ tenant }: { tenant: TenantView }) => (
  <span className="status-cell">
    <Badge status={tenant.status} />
    {tenant.held ? <Badge status="held" /> : null}
    {tenant.stale && tenant.status === 'active' ? <Badge status="stale" /> : null}
  </span>
);

export const Counts = ({ counts }: { counts: Partial<ChangeCounts> | Record<string, number> }) => (
  <span className="counts">{formatCounts(counts)}</span>
);

/** The access-level checklist: each synced field under its name in BambooHR's UI, ticked or crossed. */
export const Checklist = ({ items }: { items: readonly AccessChecklistItem[] }) => (
  <ul className="checklist" aria-label="Fields the key can see">
    {items.map((item) => (
      <li key={item.apiName} className={item.visible ? 'ok' : 'bad'} data-field={item.apiName} data-visible={String(item.visible)}>
        <span className="mark" aria-hidden="true">
          {item.visible ? '✓' : '✗'}
        </span>
        <span className="field-name">{item.uiName}</span>
        <span className="sr-only">{item.visible ? ': visible to the key' : ': not visible to the key'}</span>
        {!item.visible && item.required ? <span className="hint"> (required: nothing can sync without it)</span> : null}
        {!item.visible && !item.required ? <span className="hint"> (ask the customer to add it to the access level)</span> : null}
      </li>
    ))}
  </ul>
);

export const Check = ({ ok, children }: { ok: boolean; children: ReactNode }) => (
  <li className={ok ? 'ok' : 'bad'}>
    <span className="mark" aria-hidden="true">
      {ok ? '✓' : '✗'}
    </span>
    <span className="sr-only">{ok ? 'Passed: ' : 'Failed: '}</span>
    {children}
  </li>
);

export const Warnings = ({ warnings }: { warnings: readonly (Warning | string)[] }) =>
  warnings.length === 0 ? null : (
    <ul className="warnings" aria-label="Warnings">
      {warnings.map((w, i) => (
        <li key={i}>
          <span aria-hidden="true">⚠ </span>
          {typeof w === 'string' ? w : w.message}
          {typeof w !== 'string' && w.employeeIds && w.employeeIds.length > 0 ? (
            <span className="muted"> (employees {w.employeeIds.slice(0, 10).join(', ')}
              {(w.count ?? w.employeeIds.length) > 10 ? ', …' : ''})</span>
          ) : null}
        </li>
      ))}
    </ul>
  );

/** A modal confirm built on <dialog>: focus stays inside, Escape cancels. */
export const ConfirmDialog = ({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) => {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <h2 id="confirm-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
};

export const Loading = ({ what }: { what: string }) => (
  <p className="muted" role="status">
    Loading {what}…
  </p>
);

/** The exclusion field's name a tenant gets unless support gives another. */
export const DEFAULT_EXCLUSION_FIELD = 'skip_elevo_sync';

/** "Skip employees ticked in a BambooHR checkbox field", and that field's name (register forms). */
export const ExclusionFieldset = ({
  ids,
  on,
  onToggle,
  field,
  onFieldChange,
  name,
}: {
  ids: { on: string; field: string };
  on: boolean;
  onToggle: (on: boolean) => void;
  field: string;
  onFieldChange: (field: string) => void;
  /** The name input's form name, if any. */
  name?: string;
}) => (
  <fieldset className="field">
    <legend>Exclusion</legend>
    <div className="inline">
      <input id={ids.on} type="checkbox" checked={on} onChange={(e) => onToggle(e.target.checked)} />
      <label htmlFor={ids.on}>Skip employees ticked in a BambooHR checkbox field</label>
    </div>
    <label htmlFor={ids.field}>Exclusion field name</label>
    <input
      id={ids.field}
      {...(name ? { name } : {})}
      disabled={!on}
      autoComplete="off"
      spellCheck={false}
      value={field}
      onChange={(e) => onFieldChange(e.target.value)}
    />
  </fieldset>
);

