import type { SnapshotEntry } from '../../lib/model/snapshot.js';
import { explainVerdict, REASON_CODES, type ExplainFacts } from '../../lib/sync/explain.js';
import { aSourceEmployee, aSyncedEntry, anEmployee } from '../helpers/builders.js';

const facts = (overrides: Partial<ExplainFacts> = {}): ExplainFacts => ({
  tenantId: 'acme',
  employeeId: '7',
  bamboohr: aSourceEmployee('7', { firstName: 'Jane', lastName: 'Doe', sourceManagerId: '1' }),
  hiddenFields: [],
  terminationDate: null,
  product: aSyncedEntry(anEmployee('7', { firstName: 'Jane', lastName: 'Doe', managerId: '1' }), '1'),
  manager: { id: '1', name: 'Ann Boss', product: { state: 'synced', reason: null } },
  pendingChange: null,
  heldRun: null,
  deactivatedBy: null,
  exclusionField: 'skip_elevo_sync',
  ...overrides,
});

const deactivated = (reason: 'inactive' | 'excluded' | 'deleted'): SnapshotEntry => ({
  employee: anEmployee('7', { firstName: 'Jane', lastName: 'Doe' }),
  state: 'deactivated',
  reason,
  sourceManagerId: '1',
});

const codes = (f: ExplainFacts) => {
  const { verdict, reasons } = explainVerdict(f);
  return [verdict, reasons.map((r) => r.code)];
};

describe('explain: the verdict and its reasons (issue 16)', () => {
  it('says synced for someone in the product as BambooHR has them', () => {
    // Act
    const { verdict, reasons } = explainVerdict(facts());

    // Assess
    expect(verdict).toBe('in-product');
    expect(reasons).toEqual([{ code: 'synced', message: 'Jane Doe is in the product, as BambooHR has them.' }]);
  });

  it('says not-found when BambooHR does not return them, and that the next run removes them if the product has them', () => {
    // Act & Assess
    expect(codes(facts({ bamboohr: null, product: null, manager: null }))).toEqual(['not-in-product', ['not-found']]);
    expect(codes(facts({ bamboohr: null, pendingChange: { type: 'deactivated', reason: 'deleted', changes: {} } }))).toEqual(['in-product', ['not-found', 'pending-change']]);
  });

  it('says deleted for someone deleted in BambooHR and deactivated, with the run', () => {
    // Act
    const { verdict, reasons } = explainVerdict(facts({ bamboohr: null, product: deactivated('deleted'), deactivatedBy: { runId: 'run-9', at: '2026-11-20T10:00:00.000Z', reason: 'deleted' } }));

    // Assess
    expect(verdict).toBe('not-in-product');
    expect(reasons.map((r) => r.code)).toEqual(['deleted']);
    expect(reasons[0]!.message).toContain('run-9');
  });

  it('says excluded (since which run) for a ticked box, and what to do', () => {
    // Act
    const { reasons } = explainVerdict(
      facts({ bamboohr: aSourceEmployee('7', { excluded: true }), product: deactivated('excluded'), deactivatedBy: { runId: 'run-3', at: '2026-11-21T10:00:00.000Z', reason: 'excluded' } }),
    );

    // Assess
    expect(reasons.map((r) => r.code)).toEqual(['excluded']);
    expect(reasons[0]!.message).toMatch(/skip_elevo_sync.*ticked.*since run run-3.*Untick it/);
  });

  it('says inactive with the termination date, and both when excluded and inactive', () => {
    // Act
    const inactive = explainVerdict(facts({ bamboohr: aSourceEmployee('7', { status: 'inactive' }), product: deactivated('inactive'), terminationDate: '2026-11-01' }));
    const both = codes(facts({ bamboohr: aSourceEmployee('7', { status: 'inactive', excluded: true }), product: deactivated('excluded') }));

    // Assess
    expect(inactive.reasons.map((r) => r.code)).toEqual(['inactive']);
    expect(inactive.reasons[0]!.message).toContain('terminated 2026-11-01');
    expect(both).toEqual(['not-in-product', ['excluded', 'inactive']]);
  });

  it('says no-work-email for someone who cannot be created, and for someone synced whose email is gone', () => {
    // Act & Assess
    const never = explainVerdict(facts({ bamboohr: aSourceEmployee('7', { workEmail: null }), product: null }));
    expect(never.verdict).toBe('not-in-product');
    expect(never.reasons.map((r) => r.code)).toEqual(['no-work-email']);
    expect(never.reasons[0]!.message).toContain('Add a work email');
    expect(codes(facts({ bamboohr: aSourceEmployee('7', { workEmail: null }) }))).toEqual(['in-product', ['no-work-email']]);
  });

  it('says field-hidden for fields the key cannot see (still synced) and for a row without the exclusion box', () => {
    // Act & Assess
    expect(codes(facts({ hiddenFields: ['Job Title'] }))).toEqual(['in-product', ['synced', 'field-hidden']]);
    expect(codes(facts({ bamboohr: aSourceEmployee('7', { excluded: true, exclusionUnknown: true }), product: null }))).toEqual(['not-in-product', ['field-hidden']]);
  });

  it('says manager-not-synced, with why: excluded, inactive, or never synced', () => {
    // Act
    const excluded = explainVerdict(facts({ manager: { id: '1', name: 'Ann Boss', product: { state: 'deactivated', reason: 'excluded' } } }));
    const never = explainVerdict(facts({ manager: { id: '1', name: null, product: null } }));

    // Assess
    expect(excluded.reasons.map((r) => r.code)).toEqual(['manager-not-synced']);
    expect(excluded.reasons[0]!.message).toMatch(/Ann Boss \(#1\), is excluded/);
    expect(never.reasons[0]!.message).toContain('never synced');
    expect(codes(facts({ manager: { id: '7', name: 'Jane', product: null } }))).toEqual(['in-product', ['synced']]); // their own manager
  });

  it('says pending-change for what the next run sends, or for a held run waiting for approval', () => {
    // Act
    const update = explainVerdict(facts({ pendingChange: { type: 'updated', reason: null, changes: { managerId: { from: '1', to: '2' } } } }));
    const create = codes(facts({ product: null, pendingChange: { type: 'created', reason: null, changes: {} } }));
    const held = explainVerdict(facts({ bamboohr: aSourceEmployee('7', { status: 'inactive' }), pendingChange: { type: 'deactivated', reason: 'inactive', changes: {} }, heldRun: { runId: 'run-5', type: 'deactivated' } }));

    // Assess
    expect(update.reasons.map((r) => r.code)).toEqual(['pending-change']);
    expect(update.reasons[0]!.message).toContain('update managerId');
    expect(create).toEqual(['not-in-product', ['pending-change']]);
    expect(held.reasons.map((r) => r.code)).toEqual(['inactive', 'pending-change']);
    expect(held.reasons[1]!.message).toMatch(/held.*--held-run run-5/);
  });

  it('covers every reason code', () => {
    // Prepare: the cases above, gathered
    const all = [
      facts(),
      facts({ bamboohr: null, product: null, manager: null }),
      facts({ bamboohr: null, product: deactivated('deleted') }),
      facts({ bamboohr: aSourceEmployee('7', { excluded: true, status: 'inactive', workEmail: null }), hiddenFields: ['Division'] }),
      facts({ bamboohr: aSourceEmployee('7', { workEmail: null }), product: null }),
      facts({ manager: { id: '1', name: null, product: null }, pendingChange: { type: 'updated', reason: null, changes: { jobTitle: { from: 'a', to: 'b' } } } }),
    ];

    // Act
    const seen = new Set(all.flatMap((f) => explainVerdict(f).reasons.map((r) => r.code)));

    // Assess
    expect([...seen].sort()).toEqual([...REASON_CODES].sort());
  });
});
