import type { ChangeDraft, DeactivationReason } from '../model/change.js';
import type { SnapshotEntry } from '../model/snapshot.js';
import type { SourceEmployee } from './map-employee.js';

/**
 * "Why is (or isn't) this person in the product?" from what BambooHR says now, what the product was
 * last told, and what the next run would send. Pure: the use case gathers the facts.
 */
export const REASON_CODES = [
  'synced',
  'not-found',
  'excluded',
  'inactive',
  'no-work-email',
  'field-hidden',
  'manager-not-synced',
  'pending-change',
  'deleted',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  /** What it means and what to do, in a sentence or two. */
  message: string;
}

export type Verdict = 'in-product' | 'not-in-product';

/** What the product knows of the person's manager (by BambooHR's manager id). */
export interface ManagerFacts {
  id: string;
  name: string | null;
  /** The manager's entry in the product, null if they were never synced. */
  product: Pick<SnapshotEntry, 'state' | 'reason'> | null;
}

export interface ExplainFacts {
  tenantId: string;
  employeeId: string;
  /** The person as BambooHR returns them to the key now; null if it does not. */
  bamboohr: SourceEmployee | null;
  /** The BambooHR fields (UI names) the key cannot see, for this person. */
  hiddenFields: readonly string[];
  terminationDate: string | null;
  /** What the product was last told; null if never. */
  product: SnapshotEntry | null;
  manager: ManagerFacts | null;
  /** The change the next run would send for this person (a run of this person alone), if any. */
  pendingChange: Pick<ChangeDraft, 'type' | 'reason' | 'changes'> | null;
  /** A run held by the safeguard that would change this person, waiting for support's approval. */
  heldRun: { runId: string; type: 'deactivated' | 'reactivated' } | null;
  /** The run that last deactivated this person with this reason, from the history. */
  deactivatedBy: { runId: string; at: string; reason: DeactivationReason } | null;
  exclusionField: string | null;
}

const MANAGER_STATE: Record<string, string> = {
  excluded: 'is excluded (the exclusion box is ticked)',
  inactive: 'is inactive',
  deleted: 'was deleted in BambooHR',
};

const nameOf = (e: Pick<SourceEmployee, 'firstName' | 'lastName' | 'preferredName' | 'id'>): string =>
  [e.preferredName ?? e.firstName, e.lastName].filter(Boolean).join(' ') || `employee ${e.id}`;

const fieldList = (changes: ChangeDraft['changes']): string => Object.keys(changes).join(', ') || 'no field';

export const explainVerdict = (facts: ExplainFacts): { verdict: Verdict; reasons: Reason[] } => {
  const { bamboohr: b, product: p, tenantId } = facts;
  const inProduct = p?.state === 'synced';
  const verdict: Verdict = inProduct ? 'in-product' : 'not-in-product';
  const reasons: Reason[] = [];
  const add = (code: ReasonCode, message: string) => reasons.push({ code, message });
  const since = facts.deactivatedBy ? ` (since run ${facts.deactivatedBy.runId}, ${facts.deactivatedBy.at})` : '';

  if (!b) {
    if (p?.state === 'deactivated' && p.reason === 'deleted') {
      add('deleted', `BambooHR no longer has employee ${facts.employeeId}: they were deleted there, and deactivated in the product${since}.`);
    } else {
      add(
        'not-found',
        `BambooHR does not return employee ${facts.employeeId} to this key: no such person, or the integration user's access level cannot see them. ` +
          `Check the id in BambooHR; if they exist, ask the customer to give the integration user access to them.`,
      );
    }
  } else {
    if (b.exclusionUnknown) {
      add(
        'field-hidden',
        `BambooHR returned ${nameOf(b)} without the exclusion box "${facts.exclusionField ?? ''}", so nothing about them is created or changed. ` +
          `Ask the customer to let the integration user see that field for everyone.`,
      );
    } else if (b.exclusionUnreadable) {
      add('excluded', `The exclusion box "${facts.exclusionField ?? ''}" holds a value that cannot be read, so ${nameOf(b)} is treated as excluded. Fix the value in BambooHR.`);
    } else if (b.excluded) {
      add('excluded', `The exclusion box "${facts.exclusionField ?? ''}" is ticked for ${nameOf(b)}${since}: they are kept out of the product. Untick it in BambooHR to sync them.`);
    }
    if (b.status === 'inactive') {
      add(
        'inactive',
        `${nameOf(b)} is inactive in BambooHR${facts.terminationDate ? ` (terminated ${facts.terminationDate})` : ''}${p?.reason === 'inactive' ? since : ''}: ` +
          `inactive people are not in the product. If they should be, reactivate them in BambooHR.`,
      );
    }
    if (b.workEmail === null && !b.excluded && b.status === 'active') {
      add(
        'no-work-email',
        inProduct
          ? `${nameOf(b)} has no work email in BambooHR any more; the product keeps the one it was told (${p?.employee.workEmail ?? 'none'}). Add it back in BambooHR.`
          : `${nameOf(b)} has no work email in BambooHR, and the product needs one to create a user. Add a work email in BambooHR; the next sync creates them.`,
      );
    }
    if (facts.hiddenFields.length > 0) {
      add(
        'field-hidden',
        `The key cannot see ${facts.hiddenFields.join(', ')}: the product keeps the last values it was told for ${facts.hiddenFields.length === 1 ? 'it' : 'them'}, which may be stale. ` +
          `Ask the customer to add ${facts.hiddenFields.length === 1 ? 'it' : 'them'} to the integration user's access level.`,
      );
    }
    const m = facts.manager;
    if (m && m.id !== b.id && m.product?.state !== 'synced') {
      const state = m.product ? (MANAGER_STATE[m.product.reason ?? ''] ?? 'is not synced') : 'is not in the product (never synced: excluded, inactive or without a work email)';
      add(
        'manager-not-synced',
        `Their manager in BambooHR, ${m.name ?? 'employee'} (#${m.id}), ${state}, so the product shows ${nameOf(b)} without a manager. ` +
          `Sync the manager (see bamboohr-sync explain ${tenantId} ${m.id}), or change "Reports To" in BambooHR.`,
      );
    }
  }

  if (facts.heldRun) {
    add(
      'pending-change',
      `A run held by the safeguard would ${facts.heldRun.type === 'deactivated' ? 'deactivate' : 'reactivate'} them: it waits for support's approval ` +
        `(review it with bamboohr-sync sync ${tenantId} --dry-run; allow it with bamboohr-sync sync ${tenantId} --allow-deactivations --held-run ${facts.heldRun.runId}).`,
    );
  } else if (facts.pendingChange) {
    const c = facts.pendingChange;
    const what =
      c.type === 'created'
        ? 'create them'
        : c.type === 'reactivated'
          ? 'bring them back'
          : c.type === 'deactivated'
            ? `deactivate them (${c.reason ?? 'inactive'})`
            : `update ${fieldList(c.changes)}`;
    add(
      'pending-change',
      `BambooHR differs from what the product was told: the next sync will ${what}. It runs on the schedule, or now with: bamboohr-sync sync ${tenantId} --wait`,
    );
  }

  if (reasons.length === 0 || (inProduct && reasons.every((r) => r.code === 'field-hidden'))) {
    reasons.unshift({
      code: 'synced',
      message: inProduct
        ? `${b ? nameOf(b) : `Employee ${facts.employeeId}`} is in the product, as BambooHR has them.`
        : `${b ? nameOf(b) : `Employee ${facts.employeeId}`} is not in the product, and nothing would change that.`,
    });
  }
  return { verdict, reasons };
};
