import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { Check, Checklist, DEFAULT_EXCLUSION_FIELD, ErrorBox, ExclusionFieldset, Warnings } from '../components';
import { ConnectLinkForm } from '../connect-link';
import type { AccessCheck, TenantView } from '../types';

interface Registered {
  tenant: TenantView;
  access: AccessCheck;
  webhook: 'stored' | 'created' | 'not-permitted' | 'none';
  warnings: string[];
}

type Outcome = { ok: true; result: Registered; subdomain: string } | { ok: false; error: unknown; subdomain: string };

/** Only a suggestion for the tenant id: the server parses the subdomain for real. */
const suggestId = (subdomain: string): string => {
  const value = subdomain.trim();
  const fromUrl = /^https?:\/\/([^./]+)\.bamboohr\.com/i.exec(value)?.[1];
  return (fromUrl ?? value).toLowerCase().replace(/[^a-z0-9-]/g, '');
};

const WEBHOOK_TEXT: Record<Registered['webhook'], string> = {
  stored: 'Webhook private key stored: BambooHR changes sync within a minute.',
  created: 'Webhook created in BambooHR: changes sync within a minute.',
  'not-permitted': 'The key may not create webhooks: changes sync on the schedule only.',
  none: 'No webhook: changes sync on the schedule only.',
};

/** Which steps a hard failure leaves passed, as the CLI shows them. */
const failedStep = (error: unknown): { companyFound?: boolean; keyAccepted?: boolean; fields?: boolean; exclusion?: boolean } => {
  const code = error instanceof ApiError ? error.code : '';
  switch (code) {
    case 'bamboohr-unknown-company':
      return { companyFound: false };
    case 'bamboohr-key-rejected':
      return { companyFound: true, keyAccepted: false };
    case 'required-fields-not-visible':
      return { companyFound: true, keyAccepted: true, fields: false };
    case 'exclusion-field-missing':
      return { companyFound: true, keyAccepted: true, exclusion: false };
    default:
      return {};
  }
};

export const RegisterPage = () => {
  const [subdomain, setSubdomain] = useState('');
  const [tenantId, setTenantId] = useState('');
  const [idEdited, setIdEdited] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const [exclusionOn, setExclusionOn] = useState(false);
  const [exclusionField, setExclusionField] = useState(DEFAULT_EXCLUSION_FIELD);
  const [webhookMode, setWebhookMode] = useState<'none' | 'key' | 'create'>('none');
  const [webhookKey, setWebhookKey] = useState('');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (outcome) resultHeading.current?.focus();
  }, [outcome]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      tenantId: tenantId.trim(),
      subdomain,
      apiKey,
      exclusionField: exclusionOn ? exclusionField : null,
      ...(webhookMode === 'key' ? { webhookPrivateKey: webhookKey } : {}),
      ...(webhookMode === 'create' ? { createWebhookUrl: webhookUrl } : {}),
    };
    // The keys leave the page with this request and are never shown again.
    setApiKey('');
    setWebhookKey('');
    setBusy(true);
    setOutcome(null);
    try {
      const result = await api<Registered>('POST', '/tenants', body);
      setOutcome({ ok: true, result, subdomain: result.tenant.subdomain });
    } catch (error) {
      setOutcome({ ok: false, error, subdomain });
    } finally {
      setBusy(false);
    }
  };

  const step = outcome && !outcome.ok ? failedStep(outcome.error) : null;
  return (
    <>
      <h1 tabIndex={-1}>Register a tenant</h1>
      <section aria-labelledby="invite-title">
        <h2 id="invite-title">Send the customer a connect link (recommended)</h2>
        <p className="lead">
          Their BambooHR admin opens it, connects with BambooHR (or pastes an API key), sees which fields the connection can see and how to fix
          any that are missing, and the tenant is registered. No key passes through email.
        </p>
        <ConnectLinkForm />
      </section>
      <h2>Or register with a key the customer gave you</h2>
      <p className="lead">
        Paste what the customer sent. The key is checked against BambooHR before anything is saved, and it is never shown again.
      </p>
      <form className="form" onSubmit={submit} aria-describedby="register-help">
        <div className="field">
          <label htmlFor="subdomain">BambooHR subdomain</label>
          <input
            id="subdomain"
            name="subdomain"
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="acme or https://acme.bamboohr.com/"
            value={subdomain}
            onChange={(e) => {
              setSubdomain(e.target.value);
              if (!idEdited) setTenantId(suggestId(e.target.value));
            }}
          />
          <p className="help">The subdomain, or the address the customer signs in at.</p>
        </div>
        <div className="field">
          <label htmlFor="tenantId">Tenant id</label>
          <input
            id="tenantId"
            name="tenantId"
            required
            autoComplete="off"
            spellCheck={false}
            value={tenantId}
            onChange={(e) => {
              setTenantId(e.target.value);
              setIdEdited(true);
            }}
          />
          <p className="help">Lower-case letters, digits and hyphens. Suggested from the subdomain.</p>
        </div>
        <div className="field">
          <label htmlFor="apiKey">API key</label>
          <input
            id="apiKey"
            name="apiKey"
            type="password"
            required
            autoComplete="new-password"
            spellCheck={false}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
          <p className="help">The key of the customer's integration user. It is stored as a secret and never displayed.</p>
        </div>
        <ExclusionFieldset
          ids={{ on: 'exclusionOn', field: 'exclusionField' }}
          name="exclusionField"
          on={exclusionOn}
          onToggle={setExclusionOn}
          field={exclusionField}
          onFieldChange={setExclusionField}
        />
        <fieldset className="field">
          <legend>Webhook</legend>
          <div className="inline">
            <input id="webhook-none" type="radio" name="webhook" checked={webhookMode === 'none'} onChange={() => setWebhookMode('none')} />
            <label htmlFor="webhook-none">No webhook (sync on the schedule)</label>
          </div>
          <div className="inline">
            <input id="webhook-key" type="radio" name="webhook" checked={webhookMode === 'key'} onChange={() => setWebhookMode('key')} />
            <label htmlFor="webhook-key">The customer created the webhook: paste its private key</label>
          </div>
          {webhookMode === 'key' ? (
            <div className="sub">
              <label htmlFor="webhookPrivateKey">Webhook private key</label>
              <input
                id="webhookPrivateKey"
                type="password"
                required
                autoComplete="new-password"
                spellCheck={false}
                value={webhookKey}
                onChange={(e) => setWebhookKey(e.target.value)}
              />
            </div>
          ) : null}
          <div className="inline">
            <input id="webhook-create" type="radio" name="webhook" checked={webhookMode === 'create'} onChange={() => setWebhookMode('create')} />
            <label htmlFor="webhook-create">Create the webhook with the key</label>
          </div>
          {webhookMode === 'create' ? (
            <div className="sub">
              <label htmlFor="createWebhookUrl">Webhook URL (https)</label>
              <input
                id="createWebhookUrl"
                type="url"
                required
                autoComplete="off"
                spellCheck={false}
                placeholder="https://…/webhooks/acme"
                value={webhookUrl}
                onChange={(e) => setWebhookUrl(e.target.value)}
              />
            </div>
          ) : null}
        </fieldset>
        <p id="register-help" className="help">
          Nothing is saved if BambooHR refuses the key, the company is not found, or a required field cannot be seen.
        </p>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Checking with BambooHR…' : 'Check and register'}
          </button>
        </div>
      </form>

      {outcome ? (
        <section className={`panel ${outcome.ok ? 'panel-ok' : 'panel-bad'}`} aria-labelledby="validation-title" aria-live="polite">
          <h2 id="validation-title" ref={resultHeading} tabIndex={-1}>
            {outcome.ok ? `Registered ${outcome.result.tenant.tenantId}` : 'Not registered: nothing was saved'}
          </h2>
          {outcome.ok ? (
            <>
              <ul className="checks">
                <Check ok>Company found: {outcome.result.tenant.subdomain}.bamboohr.com</Check>
                <Check ok>Key accepted: it sees {outcome.result.access.employeeCount} employee(s)</Check>
                {outcome.result.access.exclusionField ? (
                  <Check ok>
                    Exclusion field “{outcome.result.access.exclusionField.name}” found (field {outcome.result.access.exclusionField.id})
                  </Check>
                ) : null}
                <Check ok={outcome.result.webhook !== 'not-permitted'}>{WEBHOOK_TEXT[outcome.result.webhook]}</Check>
              </ul>
              <h3>Access level: the synced fields</h3>
              <Checklist items={outcome.result.access.checklist} />
              <Warnings warnings={outcome.result.warnings} />
              <p>
                <a className="button primary" href={`#/tenants/${encodeURIComponent(outcome.result.tenant.tenantId)}`}>
                  Open {outcome.result.tenant.tenantId} to preview the first sync
                </a>
              </p>
            </>
          ) : (
            <>
              {step && step.companyFound !== undefined ? (
                <ul className="checks">
                  <Check ok={step.companyFound}>Company {step.companyFound ? 'found' : 'not found'}: {outcome.subdomain}</Check>
                  {step.keyAccepted !== undefined ? <Check ok={step.keyAccepted}>Key {step.keyAccepted ? 'accepted' : 'refused'}</Check> : null}
                  {step.fields !== undefined ? <Check ok={step.fields}>Required fields visible</Check> : null}
                  {step.exclusion !== undefined ? <Check ok={step.exclusion}>Exclusion field found and readable</Check> : null}
                </ul>
              ) : null}
              <ErrorBox error={outcome.error} />
              <p className="muted">Fix it and submit again: paste the key again.</p>
            </>
          )}
        </section>
      ) : null}
    </>
  );
};
