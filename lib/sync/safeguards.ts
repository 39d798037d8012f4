import { createHash } from 'node:crypto';
import { EmptyReportError, ExclusionFieldNotFoundError, RequiredFieldsNotVisibleError } from '../errors.js';
import type { ChangeDraft } from '../model/change.js';
import type { HeldRun } from '../model/run.js';
import type { SafeguardSettings } from '../model/tenant.js';

const SAMPLE_SIZE = 50;

/** Fields without which no pull may be used at all. */
export const REQUIRED_REPORT_FIELDS = ['status'] as const;

/**
 * Checks a pull before anything is mapped or diffed. A full pull with no employee, a pull that lacks
 * a required field, or one that lacks the exclusion checkbox is unusable: fail, change nothing.
 */
export const assertPullUsable = (input: {
  subdomain: string;
  tenantId?: string;
  full: boolean;
  employeeCount: number;
  missingFields: readonly string[];
  exclusion: { name: string; key: string } | null;
}): void => {
  if (input.full && input.employeeCount === 0) throw new EmptyReportError(input.subdomain);
  const missingRequired = REQUIRED_REPORT_FIELDS.filter((f) => input.missingFields.includes(f));
  if (missingRequired.length > 0) throw new RequiredFieldsNotVisibleError(input.subdomain, missingRequired);
  if (input.exclusion && input.missingFields.includes(input.exclusion.key)) {
    throw new ExclusionFieldNotFoundError(input.subdomain, input.exclusion.name, input.tenantId);
  }
};

/** What support approved: exactly the departures and returns of one held run, or (previews) anything. */
export type SafeguardApproval = { kind: 'all' } | { kind: 'fingerprint'; fingerprint: string };

/**
 * Identifies a set of departures and returns: an approval carries the fingerprint of the held run it
 * approves, so that it applies to exactly that set and to nothing found later.
 */
export const changeSetFingerprint = (departures: readonly ChangeDraft[], returns: readonly ChangeDraft[]): string => {
  const lines = [...departures.map((c) => `d ${c.employeeId}`), ...returns.map((c) => `r ${c.employeeId}`)].sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
};

const nameOf = (c: ChangeDraft): string | null =>
  [c.employee.preferredName ?? c.employee.firstName, c.employee.lastName].filter(Boolean).join(' ') || null;

/**
 * The safeguard against mass changes of who is in the product: a run that would deactivate, or
 * reactivate, more than `deactivationThresholdPct` of the synced employees AND more than
 * `deactivationMin` of them is held, unless support approved exactly this set. Deactivations and
 * reactivations are judged separately (a permissions change can drop half a company; turning
 * exclusion off can bring back everyone who opted out). Returns the would-be figures when held.
 */
export const evaluateSafeguard = (input: {
  departures: readonly ChangeDraft[];
  returns: readonly ChangeDraft[];
  syncedBefore: number;
  settings: SafeguardSettings;
  approval: SafeguardApproval | null;
}): HeldRun | null => {
  const { departures, returns, settings } = input;
  if ((departures.length === 0 && returns.length === 0) || input.approval?.kind === 'all') return null;
  const fingerprint = changeSetFingerprint(departures, returns);
  if (input.approval?.kind === 'fingerprint' && input.approval.fingerprint === fingerprint) return null;
  const trips = (count: number): boolean => {
    const pct = input.syncedBefore === 0 ? 100 : (count / input.syncedBefore) * 100;
    return count > 0 && pct > settings.deactivationThresholdPct && count > settings.deactivationMin;
  };
  if (!trips(departures.length) && !trips(returns.length)) return null;
  return {
    wouldDeactivate: departures.length,
    wouldReactivate: returns.length,
    syncedBefore: input.syncedBefore,
    thresholdPct: settings.deactivationThresholdPct,
    thresholdMin: settings.deactivationMin,
    fingerprint,
    sample: [...departures, ...returns].slice(0, SAMPLE_SIZE).map((c) => ({
      employeeId: c.employeeId,
      name: nameOf(c),
      reason: c.reason,
      type: c.type === 'reactivated' ? ('reactivated' as const) : ('deactivated' as const),
    })),
  };
};
