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

/**
 * The deactivation safeguard: a run that would deactivate more than `deactivationThresholdPct` of the
 * synced employees AND more than `deactivationMin` of them is held, unless support allowed it.
 * Returns the would-be figures when held, null otherwise.
 */
export const evaluateDeactivations = (input: {
  deactivations: readonly ChangeDraft[];
  syncedBefore: number;
  settings: SafeguardSettings;
  allowed: boolean;
}): HeldRun | null => {
  const count = input.deactivations.length;
  if (input.allowed || count === 0) return null;
  const pct = input.syncedBefore === 0 ? 100 : (count / input.syncedBefore) * 100;
  if (!(pct > input.settings.deactivationThresholdPct && count > input.settings.deactivationMin)) return null;
  return {
    wouldDeactivate: count,
    syncedBefore: input.syncedBefore,
    thresholdPct: input.settings.deactivationThresholdPct,
    thresholdMin: input.settings.deactivationMin,
    sample: input.deactivations.slice(0, SAMPLE_SIZE).map((c) => ({
      employeeId: c.employeeId,
      name: [c.employee.preferredName ?? c.employee.firstName, c.employee.lastName].filter(Boolean).join(' ') || null,
      reason: c.reason,
    })),
  };
};
