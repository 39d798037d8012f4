/** `tenant add|list|show|update|disable|enable|remove`: thin wrappers over the tenant use cases. */
import { TENANT_STATUSES, type SafeguardSettings } from '../../model/tenant.js';
import { createInvite, parseInviteExpiry } from '../../use-cases/connect-tenant.js';
import { listTenants, showTenant, toTenantView } from '../../use-cases/read-tenants.js';
import { registerTenant } from '../../use-cases/register-tenant.js';
import { removeTenant } from '../../use-cases/remove-tenant.js';
import { setTenantStatus } from '../../use-cases/set-tenant-status.js';
import { updateTenant, type UpdateTenantInput } from '../../use-cases/update-tenant.js';
import { bool, exclusive, intOption, numberOption, str, type Command, type OptionSpec, type Values } from '../command.js';
import { assertKeySources, readKeys, type KeyRequest } from '../keys.js';
import { ago, counts, fields, table, UsageError, when } from '../output.js';
import { accessLines, COUNTS_KEY, heldLines, runsTable, warningLines } from '../render.js';

const STATUS_FILTERS = [...TENANT_STATUSES, 'held', 'stale'] as const;

const keyOptions: Record<string, OptionSpec> = {
  'api-key-stdin': { type: 'boolean', description: 'Read the API key from stdin (first line). Without it, a terminal prompts for it (echo off).' },
  'webhook-key-stdin': {
    type: 'boolean',
    description: "Read the private key of a webhook the customer created in BambooHR from stdin (after the API key's line, if both).",
  },
};

const safeguardOptions: Record<string, OptionSpec> = {
  'deactivation-threshold': { type: 'string', value: '<pct>', description: 'Hold a run that deactivates more than this % of the synced employees (default 20)...' },
  'deactivation-min': { type: 'string', value: '<n>', description: '...and more than this many of them (default 5).' },
};

const createWebhookOption: OptionSpec = {
  type: 'string',
  optionalValue: true,
  value: '[url]',
  description: "Create a BambooHR webhook calling this deployment's webhook route for the tenant (alone: that URL; given, it must be it). Needs a key allowed to.",
};

/** `--create-webhook` alone: this deployment's URL for the tenant; with a value: that URL (checked to be it). */
const createWebhookOf = (values: Values): { createAtUrl: string | null } | undefined => {
  const value = str(values, 'create-webhook');
  if (value === undefined) return undefined;
  return { createAtUrl: value.trim() === '' ? null : value };
};

const exclusionOption: OptionSpec = {
  type: 'string',
  optionalValue: true,
  value: '[name]',
  description: "Leave out people whose BambooHR checkbox field is ticked; the field's API name or name (alone: skip_elevo_sync).",
};

/** `--exclusion-field` alone means the default field; absent means no change (undefined). */
const exclusionOf = (values: Values): string | true | undefined => {
  const value = str(values, 'exclusion-field');
  if (value === undefined) return undefined;
  return value.trim() === '' ? true : value;
};

const safeguardsOf = (values: Values): Partial<SafeguardSettings> | undefined => {
  const pct = numberOption(values, 'deactivation-threshold');
  const min = intOption(values, 'deactivation-min');
  if (pct === undefined && min === undefined) return undefined;
  return { ...(pct !== undefined ? { deactivationThresholdPct: pct } : {}), ...(min !== undefined ? { deactivationMin: min } : {}) };
};

const API_KEY = (fromStdin: boolean): KeyRequest => ({ label: 'BambooHR API key', flag: '--api-key-stdin', fromStdin });
const WEBHOOK_KEY: KeyRequest = { label: 'BambooHR webhook private key', flag: '--webhook-key-stdin', fromStdin: true };

const webhookLine = (webhook: 'stored' | 'created' | 'not-permitted' | 'none' | boolean): string => {
  switch (webhook) {
    case 'stored':
      return '✓ Webhook private key stored: BambooHR webhooks are verified and trigger fast syncs';
    case 'created':
    case true:
      return '✓ Webhook created in BambooHR: changes trigger fast syncs';
    case 'not-permitted':
      return '! No webhook: the key may not create one (see the warnings)';
    default:
      return 'Webhook: none (synced on schedule only)';
  }
};

const add: Command = {
  path: ['tenant', 'add'],
  usage: 'tenant add <tenantId> --subdomain <sub|url> [--exclusion-field [name]] [--api-key-stdin] [--webhook-key-stdin | --create-webhook [url]]',
  summary: "Register a customer's BambooHR: checks the key and its access first, saves nothing on a hard failure",
  details: [
    'The API key is never taken from the command line: it is prompted for (echo off), or piped in with --api-key-stdin.',
    'Before saving, the key is proven against BambooHR: the company exists, the key is accepted, and which synced fields it can see ' +
      "(as the access-level checklist the customer follows). Fields it cannot see are a warning; a rejected key, an unknown company " +
      'or a missing exclusion field save nothing.',
    'Example: pbpaste | bamboohr-sync tenant add acme --subdomain acme --exclusion-field --api-key-stdin',
  ],
  positionals: { min: 1, max: 1 },
  options: {
    subdomain: { type: 'string', value: '<sub|url>', description: "The company's subdomain: 'acme' or https://acme.bamboohr.com/ (required)." },
    'exclusion-field': exclusionOption,
    ...keyOptions,
    'create-webhook': createWebhookOption,
    ...safeguardOptions,
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const subdomain = str(values, 'subdomain');
    if (subdomain === undefined) throw new UsageError('--subdomain is required.');
    exclusive(values, ['webhook-key-stdin', 'create-webhook']);
    const safeguards = safeguardsOf(values);
    const exclusionField = exclusionOf(values);
    const create = createWebhookOf(values);
    const requests = [API_KEY(bool(values, 'api-key-stdin')), ...(bool(values, 'webhook-key-stdin') ? [WEBHOOK_KEY] : [])];
    assertKeySources(ctx.io, requests);
    const deps = await ctx.deps();
    const [apiKey = '', webhookKey] = await readKeys(ctx.io, ctx.out, requests);
    const result = await registerTenant(deps, {
      actor: await ctx.actor(),
      tenantId,
      subdomain,
      apiKey,
      exclusionField: exclusionField ?? null,
      webhook: webhookKey !== undefined ? { privateKey: webhookKey } : (create ?? null),
      ...(safeguards ? { safeguards } : {}),
    });
    ctx.out.result({ tenant: toTenantView(result.tenant), access: result.access, webhook: result.webhook, warnings: result.warnings });
    ctx.out.lines(
      ...accessLines(result.access, result.tenant.subdomain),
      webhookLine(result.webhook),
      ...warningLines(result.warnings),
      '',
      `Saved tenant '${result.tenant.tenantId}'. Next, preview its first sync: ${ctx.suggest(`sync ${result.tenant.tenantId} --dry-run`)}`,
    );
  },
};

const list: Command = {
  path: ['tenant', 'list'],
  usage: 'tenant list [--status active|disabled|needs-attention|held]',
  summary: 'The tenants, those needing attention first: subdomain, status, last run and employees synced',
  positionals: { min: 0, max: 0 },
  options: { status: { type: 'string', value: '<status>', description: `Only tenants with this status: ${STATUS_FILTERS.join(', ')}.` } },
  run: async (ctx, { values }) => {
    const status = str(values, 'status');
    if (status !== undefined && !(STATUS_FILTERS as readonly string[]).includes(status)) {
      throw new UsageError(`--status is one of: ${STATUS_FILTERS.join(', ')}.`);
    }
    const tenants = await listTenants(await ctx.deps(), status ? { status: status as (typeof STATUS_FILTERS)[number] } : {});
    ctx.out.result({ tenants });
    if (tenants.length === 0) {
      ctx.out.lines(status ? `No tenant is ${status}.` : `No tenants yet. Add one with: ${ctx.suggest('tenant add <tenantId> --subdomain <subdomain>')}`);
      return;
    }
    const now = ctx.now();
    ctx.out.lines(
      ...table(
        ['TENANT', 'SUBDOMAIN', 'STATUS', 'LAST RUN', 'RESULT', 'LAST SUCCESS', 'EMPLOYEES'],
        tenants.map((t) => [
          t.tenantId,
          t.subdomain,
          `${t.held ? 'held' : t.status}${t.staleSince ? ', stale' : ''}`,
          when(t.lastRun?.finishedAt ?? t.lastRun?.startedAt, now),
          t.lastRun ? `${t.lastRun.status} ${counts(t.lastRun.counts)}${t.lastRun.warnings ? `, ${t.lastRun.warnings} warnings` : ''}` : 'never synced',
          t.lastSuccessAt ? ago(t.lastSuccessAt, now) : 'never',
          t.lastRun?.employeesSynced,
        ]),
      ),
      ...tenants.filter((t) => t.status === 'needs-attention' && t.statusReason).map((t) => `! ${t.tenantId}: ${t.statusReason}`),
    );
  },
};

const show: Command = {
  path: ['tenant', 'show'],
  usage: 'tenant show <tenantId> [--runs N]',
  summary: "A tenant's configuration (never its key), its last runs and their warnings",
  positionals: { min: 1, max: 1 },
  options: { runs: { type: 'string', value: '<n>', description: 'How many recent runs to show (default 5).' } },
  run: async (ctx, { values, positionals }) => {
    const { tenant, runs } = await showTenant(await ctx.deps(), positionals[0]!, intOption(values, 'runs', { min: 1, max: 200 }) ?? 5);
    ctx.out.result({ tenant, runs });
    const now = ctx.now();
    const s = tenant.safeguards;
    const latest = runs.find((r) => r.status !== 'running');
    ctx.out.lines(
      ...fields([
        ['Tenant', tenant.tenantId],
        ['Subdomain', `${tenant.subdomain} (https://${tenant.subdomain}.bamboohr.com/)`],
        ['Status', tenant.held ? `${tenant.status}, last run held` : tenant.status],
        ...(tenant.statusReason ? ([['Reason', tenant.statusReason]] as const) : []),
        ['Exclusion', tenant.exclusionField ? `${tenant.exclusionField}${tenant.exclusionFieldId ? ` (BambooHR field ${tenant.exclusionFieldId})` : ''}` : 'none'],
        ['Webhook', tenant.webhookEnabled ? 'enabled (verified with its private key)' : 'none (synced on schedule only)'],
        ['Safeguard', `hold a run deactivating more than ${s.deactivationThresholdPct}% and more than ${s.deactivationMin} of the synced employees`],
        ['Employees', tenant.lastRun?.employeesSynced ?? 'not synced yet'],
        ['Created', when(tenant.createdAt, now)],
        ['Updated', when(tenant.updatedAt, now)],
      ]),
      '',
      ...(runs.length > 0 ? [`Last runs (changes: ${COUNTS_KEY})`, ...runsTable(runs, now)] : [`No runs yet. Preview one with: ${ctx.suggest(`sync ${tenant.tenantId} --dry-run`)}`]),
      ...(latest?.error ? ['', `Error of the last run: ${latest.error.message}`] : []),
      ...(latest ? warningLines(latest.warnings, '\nWarnings of the last run:') : []),
      ...(latest?.held ? ['', ...heldLines(latest.held, ctx.suggest(`sync ${tenant.tenantId} --allow-deactivations --wait`))] : []),
    );
  },
};

const update: Command = {
  path: ['tenant', 'update'],
  usage:
    'tenant update <tenantId> [--subdomain <sub|url>] [--exclusion-field [name] | --no-exclusion [--yes]] [--api-key-stdin] ' +
    '[--webhook-key-stdin | --create-webhook [url] | --no-webhook] [--deactivation-threshold <pct>] [--deactivation-min <n>]',
  summary: "Change a tenant's configuration; whatever touches BambooHR is checked first, and nothing is saved on a hard failure",
  details: ['A tenant that needed attention is active again once its new configuration checks out.'],
  positionals: { min: 1, max: 1 },
  options: {
    subdomain: { type: 'string', value: '<sub|url>', description: "A new subdomain: 'acme' or https://acme.bamboohr.com/." },
    'exclusion-field': exclusionOption,
    'no-exclusion': { type: 'boolean', description: 'Turn exclusion off: everyone is synced (asks for --yes when people opted out).' },
    yes: { type: 'boolean', description: 'Confirm a change that sends people who opted out (with --no-exclusion).' },
    ...keyOptions,
    'create-webhook': createWebhookOption,
    'no-webhook': { type: 'boolean', description: 'Forget the webhook key (webhook calls are then refused).' },
    ...safeguardOptions,
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    exclusive(values, ['exclusion-field', 'no-exclusion']);
    exclusive(values, ['webhook-key-stdin', 'create-webhook', 'no-webhook']);
    const safeguards = safeguardsOf(values);
    const exclusionField = bool(values, 'no-exclusion') ? null : exclusionOf(values);
    const subdomain = str(values, 'subdomain');
    const create = createWebhookOf(values);
    const wantsApiKey = bool(values, 'api-key-stdin');
    const wantsWebhookKey = bool(values, 'webhook-key-stdin');
    const changes =
      subdomain !== undefined || exclusionField !== undefined || wantsApiKey || wantsWebhookKey || create !== undefined || bool(values, 'no-webhook') || safeguards;
    if (!changes) throw new UsageError('Nothing to update: give at least one option (see --help).');
    const requests = [...(wantsApiKey ? [API_KEY(true)] : []), ...(wantsWebhookKey ? [WEBHOOK_KEY] : [])];
    const deps = await ctx.deps();
    const keys = await readKeys(ctx.io, ctx.out, requests);
    const apiKey = wantsApiKey ? keys[0] : undefined;
    const webhookKey = wantsWebhookKey ? keys[wantsApiKey ? 1 : 0] : undefined;
    const input: UpdateTenantInput = {
      ...(subdomain !== undefined ? { subdomain } : {}),
      ...(exclusionField !== undefined ? { exclusionField } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(webhookKey !== undefined ? { webhook: { privateKey: webhookKey } } : create !== undefined ? { webhook: create } : {}),
      ...(bool(values, 'no-webhook') ? { webhook: null } : {}),
      ...(safeguards ? { safeguards } : {}),
      ...(bool(values, 'yes') ? { confirm: true } : {}),
    };
    const result = await updateTenant(deps, tenantId, { ...input, actor: await ctx.actor() });
    ctx.out.result({ tenant: toTenantView(result.tenant), access: result.access, warnings: result.warnings });
    ctx.out.lines(
      ...(result.access ? accessLines(result.access, result.tenant.subdomain) : []),
      ...(input.webhook !== undefined ? [webhookLine(result.tenant.webhookEnabled)] : []),
      ...warningLines(result.warnings),
      `Updated tenant '${tenantId}' (status: ${result.tenant.status}).`,
    );
  },
};

const statusCommand = (action: 'disable' | 'enable'): Command => ({
  path: ['tenant', action],
  usage: `tenant ${action} <tenantId>`,
  summary:
    action === 'disable'
      ? 'Stop scheduled and webhook syncs of a tenant; its data is kept'
      : 'Make a tenant active again (also after fixing what needed attention)',
  positionals: { min: 1, max: 1 },
  options: {},
  run: async (ctx, { positionals }) => {
    const tenant = await setTenantStatus(await ctx.deps(), positionals[0]!, action, await ctx.actor());
    ctx.out.result({ tenant: toTenantView(tenant) });
    ctx.out.lines(
      action === 'disable'
        ? `Tenant '${tenant.tenantId}' is disabled: no scheduled or webhook syncs; its data is kept. Enable it with: ${ctx.suggest(`tenant enable ${tenant.tenantId}`)}`
        : `Tenant '${tenant.tenantId}' is active. Sync it now with: ${ctx.suggest(`sync ${tenant.tenantId} --wait`)}`,
    );
  },
});

const remove: Command = {
  path: ['tenant', 'remove'],
  usage: 'tenant remove <tenantId> --yes',
  summary: "Delete a tenant's key, configuration, snapshot, change feed and runs (and its webhook in BambooHR)",
  positionals: { min: 1, max: 1 },
  options: { yes: { type: 'boolean', description: 'Confirm: this cannot be undone.' } },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    if (!bool(values, 'yes')) {
      throw new UsageError(`This deletes the key, configuration, snapshot, change feed and runs of '${tenantId}', for good. Run it again with --yes.`);
    }
    const { webhooksDeleted, webhookProblem } = await removeTenant(await ctx.deps(), tenantId, await ctx.actor());
    ctx.out.result({ removed: tenantId, webhooksDeleted, webhookProblem });
    ctx.out.lines(
      `Removed tenant '${tenantId}': its key, configuration, snapshot, change feed and runs are deleted${webhooksDeleted > 0 ? ', and its webhook in BambooHR' : ''}.`,
      ...(webhookProblem ? [webhookProblem] : []),
    );
  },
};

const invite: Command = {
  path: ['tenant', 'invite'],
  usage: 'tenant invite <tenantId> [--exclusion-field [name]] [--expires 7d]',
  summary: "A one-time link for the customer's BambooHR admin to connect their company themselves (OAuth or an API key)",
  details: [
    "Send the link to the customer's BambooHR admin. They open it, sign in to BambooHR and approve (or paste an API key), see which " +
      'synced fields the connection can see with how to fix any that are missing, and once it is complete the tenant is registered ' +
      'exactly as `tenant add` would. No key passes through email or support.',
    'For a tenant that exists already, the link connects it again (a new key, or a new OAuth grant after a refused one); its settings stay.',
    'The link works once and expires (default 7 days; --expires 90m, 36h or 30d at most). Only a hash of it is stored: it cannot be shown again, make a new one instead.',
    'Example: bamboohr-sync tenant invite acme --exclusion-field',
  ],
  positionals: { min: 1, max: 1 },
  options: {
    'exclusion-field': { ...exclusionOption, description: `${exclusionOption.description} For a new tenant only.` },
    expires: { type: 'string', value: '<7d>', description: 'How long the link works: 90m, 36h, 7d... up to 30d (default: INVITE_TTL_HOURS, 7 days).' },
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const expires = str(values, 'expires');
    const expiresInHours = expires !== undefined ? parseInviteExpiry(expires) : undefined;
    const exclusionField = exclusionOf(values);
    const deps = await ctx.deps();
    const result = await createInvite(deps, tenantId, {
      ...(exclusionField !== undefined ? { exclusionField } : {}),
      ...(expiresInHours !== undefined ? { expiresInHours } : {}),
      actor: await ctx.actor(),
    });
    ctx.out.result({ url: result.url, expiresAt: result.expiresAt, mode: result.mode });
    ctx.out.lines(
      result.mode === 'register'
        ? `Connect link for '${tenantId}' (works once, until ${when(result.expiresAt)}):`
        : `Connect link to connect '${tenantId}' again (works once, until ${when(result.expiresAt)}; its settings stay):`,
      '',
      `  ${result.url}`,
      '',
      "Send it to the customer's BambooHR admin. The tenant appears (see the activity log) once they have connected: " + ctx.suggest(`tenant show ${tenantId}`),
    );
  },
};

export const TENANT_COMMANDS: Command[] = [add, invite, list, show, update, statusCommand('disable'), statusCommand('enable'), remove];
