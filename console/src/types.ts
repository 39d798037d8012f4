/**
 * The shapes the console's API answers with: the service's own types (type-only imports, so
 * nothing of lib/ is bundled), as JSON carries them.
 */
export type { TenantView } from '../../lib/use-cases/read-tenants.js';
export type { RunRecord, Warning, ChangeCounts, HeldRun } from '../../lib/model/run.js';
export type { ChangeRecord, ChangeDraft } from '../../lib/model/change.js';
export type { AccessCheck, AccessChecklistItem } from '../../lib/use-cases/check-bamboohr-access.js';
export type { SyncPreview } from '../../lib/use-cases/preview-sync.js';
export type { DeadLetter } from '../../lib/ports.js';
export type { ActivityEvent } from '../../lib/model/activity.js';
export type { EmployeeExplanation, EmployeeCandidate, OrgNode } from '../../lib/use-cases/explain-employee.js';
