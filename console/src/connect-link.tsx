import { useState, type FormEvent } from 'react';
import { api } from './api';
import { DEFAULT_EXCLUSION_FIELD, ErrorBox, ExclusionFieldset, Time } from './components';

interface Invite {
  url: string;
  expiresAt: string;
  mode: 'register' | 'reconnect';
}

const LIFETIMES = [
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
] as const;

/**
 * Makes a one-time connect link (POST /tenants/{id}/invites) for the customer's BambooHR admin:
 * for a new tenant (its id and exclusion field asked here) or to connect an existing one again.
 */
export const ConnectLinkForm = ({ tenantId: fixedTenantId }: { tenantId?: string }) => {
  const [tenantId, setTenantId] = useState('');
  const [exclusionOn, setExclusionOn] = useState(false);
  const [exclusionField, setExclusionField] = useState(DEFAULT_EXCLUSION_FIELD);
  const [expires, setExpires] = useState<string>('7d');
  const [busy, setBusy] = useState(false);
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);
  const id = fixedTenantId ?? tenantId.trim();
  const prefix = fixedTenantId ? 'reconnect' : 'invite';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setInvite(null);
    setCopied(false);
    try {
      const body = { expires, ...(fixedTenantId ? {} : { exclusionField: exclusionOn ? exclusionField : null }) };
      setInvite(await api<Invite>('POST', `/tenants/${encodeURIComponent(id)}/invites`, body));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!invite) return;
    try {
      await navigator.clipboard.writeText(invite.url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={fixedTenantId ? 'Connect link to connect again' : 'Connect link for a new tenant'}>
      {fixedTenantId ? null : (
        <>
          <div className="field">
            <label htmlFor={`${prefix}-tenantId`}>Tenant id</label>
            <input
              id={`${prefix}-tenantId`}
              required
              autoComplete="off"
              spellCheck={false}
              placeholder="acme"
              value={tenantId}
              onChange={(e) => setTenantId(e.target.value)}
            />
            <p className="help">Lower-case letters, digits and hyphens. The customer gives the subdomain when they connect.</p>
          </div>
          <ExclusionFieldset
            ids={{ on: `${prefix}-exclusionOn`, field: `${prefix}-exclusionField` }}
            on={exclusionOn}
            onToggle={setExclusionOn}
            field={exclusionField}
            onFieldChange={setExclusionField}
          />
        </>
      )}
      <div className="inline-form">
        <div className="field">
          <label htmlFor={`${prefix}-expires`}>The link works for</label>
          <select id={`${prefix}-expires`} value={expires} onChange={(e) => setExpires(e.target.value)}>
            {LIFETIMES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={fixedTenantId ? '' : 'primary'} disabled={busy || id === ''}>
          {busy ? 'Making the link…' : fixedTenantId ? 'Make a link to connect again' : 'Make a connect link'}
        </button>
      </div>
      <ErrorBox error={error} title="No link was made." />
      {invite ? (
        <div className="panel panel-ok" role="status" data-invite-mode={invite.mode}>
          <label htmlFor={`${prefix}-url`}>Send this link to the customer's BambooHR admin</label>
          <div className="inline-form">
            <input id={`${prefix}-url`} className="invite-url" readOnly value={invite.url} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="help">
            It works once, until <Time iso={invite.expiresAt} />. Only its hash is stored: it cannot be shown again.{' '}
            {invite.mode === 'register'
              ? 'The tenant appears in the list once they have connected.'
              : "Its settings stay; the new connection replaces the old one once it can see what the sync needs."}
          </p>
        </div>
      ) : null}
    </form>
  );
};
