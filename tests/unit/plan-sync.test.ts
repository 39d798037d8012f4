import { DEFAULT_SAFEGUARDS } from '../../lib/model/tenant.js';
import type { DiffedField } from '../../lib/model/employee.js';
import { planSync, type PlanInput } from '../../lib/sync/plan-sync.js';
import { aSourceEmployee, aSyncedEntry, anEmployee, snapshotOf } from '../helpers/builders.js';

const plan = (overrides: Partial<PlanInput>) =>
  planSync({
    previous: new Map(),
    pulled: [],
    scope: { kind: 'full' },
    unknownFields: new Set(),
    safeguards: { ...DEFAULT_SAFEGUARDS },
    approval: null,
    ...overrides,
  });

describe('planSync', () => {
  it('creates new active employees, managers before their reports, with derived manager and direct reports', () => {
    // Prepare
    const pulled = [aSourceEmployee('3', { sourceManagerId: '2' }), aSourceEmployee('2', { sourceManagerId: '1' }), aSourceEmployee('1'), aSourceEmployee('4', { sourceManagerId: '1' })];

    // Act
    const result = plan({ pulled });

    // Assess
    expect(result.changes.map((c) => [c.type, c.employeeId])).toEqual([
      ['created', '1'],
      ['created', '2'],
      ['created', '4'],
      ['created', '3'],
    ]);
    const byId = new Map(result.changes.map((c) => [c.employeeId, c.employee]));
    expect(byId.get('1')).toMatchObject({ managerId: null, directReportIds: ['2', '4'] });
    expect(byId.get('3')).toMatchObject({ managerId: '2', directReportIds: [] });
    expect(result.counts).toEqual({ created: 4, updated: 0, deactivated: 0, reactivated: 0 });
    expect(result.snapshotWrites).toHaveLength(4);
    expect(result.employeesSynced).toBe(4);
  });

  it('does not create an inactive employee never seen before, nor one without a work email (warned)', () => {
    // Prepare
    const pulled = [aSourceEmployee('1', { status: 'inactive' }), aSourceEmployee('2', { workEmail: null })];

    // Act
    const result = plan({ pulled });

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['missing-work-email']);
    expect(result.warnings[0]?.employeeIds).toEqual(['2']);
  });

  it('never sends an excluded employee', () => {
    // Act
    const result = plan({ pulled: [aSourceEmployee('1', { excluded: true })] });

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.snapshotWrites).toEqual([]);
  });

  it('writes nothing when nothing changed', () => {
    // Prepare
    const previous = snapshotOf(aSyncedEntry(anEmployee('1')));

    // Act
    const result = plan({ previous, pulled: [aSourceEmployee('1')] });

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.snapshotWrites).toEqual([]);
  });

  it('updates only the fields that changed, including the managers direct reports', () => {
    // Prepare
    const previous = snapshotOf(
      aSyncedEntry(anEmployee('1', { directReportIds: ['3'] })),
      aSyncedEntry(anEmployee('2')),
      aSyncedEntry(anEmployee('3', { managerId: '1' })),
    );
    const pulled = [aSourceEmployee('1'), aSourceEmployee('2'), aSourceEmployee('3', { sourceManagerId: '2', jobTitle: 'Lead' })];

    // Act
    const result = plan({ previous, pulled });

    // Assess
    expect(result.changes.map((c) => [c.type, c.employeeId, c.changes])).toEqual([
      ['updated', '1', { directReportIds: { from: ['3'], to: [] } }],
      ['updated', '2', { directReportIds: { from: [], to: ['3'] } }],
      ['updated', '3', { jobTitle: { from: 'Engineer', to: 'Lead' }, managerId: { from: '1', to: '2' } }],
    ]);
  });

  it('deactivates with reason inactive, excluded and deleted', () => {
    // Prepare
    const previous = snapshotOf(aSyncedEntry(anEmployee('1')), aSyncedEntry(anEmployee('2')), aSyncedEntry(anEmployee('3')), aSyncedEntry(anEmployee('4')));
    const pulled = [aSourceEmployee('1', { status: 'inactive' }), aSourceEmployee('2', { excluded: true, firstName: 'New' }), aSourceEmployee('4')];

    // Act
    const result = plan({ previous, pulled, safeguards: { deactivationThresholdPct: 100, deactivationMin: 100 } });

    // Assess
    expect(result.changes.map((c) => [c.type, c.reason, c.employeeId])).toEqual([
      ['deactivated', 'inactive', '1'],
      ['deactivated', 'excluded', '2'],
      ['deactivated', 'deleted', '3'],
    ]);
    const excluded = result.changes.find((c) => c.employeeId === '2')!;
    expect(excluded.employee.firstName).toBe('First2'); // nothing new of someone who asked to be left out
    expect(excluded.changes).toEqual({});
    expect(result.changes[0]?.changes).toEqual({ status: { from: 'active', to: 'inactive' } });
    expect(result.snapshotWrites.map((e) => [e.employee.id, e.state, e.reason])).toEqual([
      ['1', 'deactivated', 'inactive'],
      ['2', 'deactivated', 'excluded'],
      ['3', 'deactivated', 'deleted'],
    ]);
  });

  it('reactivates an employee back to active or un-ticked', () => {
    // Prepare
    const previous = snapshotOf(
      { employee: anEmployee('1', { status: 'inactive' }), state: 'deactivated', reason: 'inactive', sourceManagerId: null },
      { employee: anEmployee('2'), state: 'deactivated', reason: 'excluded', sourceManagerId: null },
    );

    // Act
    const result = plan({ previous, pulled: [aSourceEmployee('1'), aSourceEmployee('2', { jobTitle: 'Chief' })] });

    // Assess
    expect(result.changes.map((c) => [c.type, c.employeeId, c.changes])).toEqual([
      ['reactivated', '1', { status: { from: 'inactive', to: 'active' } }],
      ['reactivated', '2', { jobTitle: { from: 'Engineer', to: 'Chief' } }],
    ]);
  });

  it('treats a field the key could not see as unknown: not diffed, previous value kept', () => {
    // Prepare
    const previous = snapshotOf(aSyncedEntry(anEmployee('1', { location: 'Paris', directReportIds: ['2'] })), aSyncedEntry(anEmployee('2', { managerId: '1' })));
    const unknownFields = new Set<DiffedField>(['location', 'managerId', 'directReportIds']);
    const pulled = [aSourceEmployee('1', { location: null }), aSourceEmployee('2', { location: null, sourceManagerId: null })];

    // Act
    const result = plan({ previous, pulled, unknownFields });

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toContain('fields-not-visible');
  });

  it('never deactivates as deleted from a partial pull, except a deletion BambooHR confirmed', () => {
    // Prepare
    const previous = snapshotOf(aSyncedEntry(anEmployee('1')), aSyncedEntry(anEmployee('2')), aSyncedEntry(anEmployee('3')));

    // Act
    const result = plan({ previous, pulled: [aSourceEmployee('1', { jobTitle: 'CTO' })], scope: { kind: 'partial', confirmedDeletedIds: ['3'] } });

    // Assess
    expect(result.changes.map((c) => [c.type, c.reason, c.employeeId])).toEqual([
      ['updated', null, '1'],
      ['deactivated', 'deleted', '3'],
    ]);
    expect(result.employeesSynced).toBe(2);
  });

  it('re-derives the org tree in a partial pull from the snapshot', () => {
    // Prepare
    const previous = snapshotOf(aSyncedEntry(anEmployee('1', { directReportIds: ['3'] })), aSyncedEntry(anEmployee('2')), aSyncedEntry(anEmployee('3', { managerId: '1' })));

    // Act
    const result = plan({ previous, pulled: [aSourceEmployee('3', { sourceManagerId: '2' })], scope: { kind: 'partial', confirmedDeletedIds: [] } });

    // Assess
    expect(result.changes.map((c) => [c.employeeId, c.changes])).toEqual([
      ['1', { directReportIds: { from: ['3'], to: [] } }],
      ['2', { directReportIds: { from: [], to: ['3'] } }],
      ['3', { managerId: { from: '1', to: '2' } }],
    ]);
  });

  it('looks, in a targeted pull, at the pulled and at those whose place in the tree they change: a leaver\'s reports lose their manager; the rest is left as it was (issue 17)', () => {
    // Prepare: 1 manages 2 and 3; 4 (unrelated) was told a manager the tree no longer derives; 5 and 6 share an email
    const previous = snapshotOf(
      aSyncedEntry(anEmployee('1', { directReportIds: ['2', '3'] })),
      aSyncedEntry(anEmployee('2', { managerId: '1' })),
      aSyncedEntry(anEmployee('3', { managerId: '1' })),
      aSyncedEntry(anEmployee('4', { managerId: '9' }), '9'),
      aSyncedEntry(anEmployee('5', { workEmail: 'same@example.com' })),
      aSyncedEntry(anEmployee('6', { workEmail: 'same@example.com' })),
    );

    // Act: a webhook says 1 left (inactive)
    const result = plan({ previous, pulled: [aSourceEmployee('1', { status: 'inactive' })], scope: { kind: 'partial', confirmedDeletedIds: [] } });

    // Assess: 1 deactivated, 2 and 3 lose their manager (and say so); 4's stale manager and 5/6's
    // shared email are the full run's to see
    expect(result.changes.map((c) => [c.type, c.employeeId, Object.keys(c.changes)])).toEqual([
      ['updated', '2', ['managerId']],
      ['updated', '3', ['managerId']],
      ['deactivated', '1', ['status', 'directReportIds']],
    ]);
    expect(result.warnings.map((w) => [w.code, w.employeeIds])).toEqual([['manager-not-synced', ['2', '3']]]);
    expect(result.employeesSynced).toBe(5);
    expect(result.orgDecided).toEqual(['2', '3']);
  });

  it('sets managerId only when the manager is synced, and warns', () => {
    // Act
    const result = plan({ pulled: [aSourceEmployee('1', { excluded: true }), aSourceEmployee('2', { sourceManagerId: '1' })] });

    // Assess
    expect(result.changes[0]?.employee.managerId).toBeNull();
    expect(result.warnings.map((w) => w.code)).toContain('manager-not-synced');
  });

  it('warns about duplicate work emails and manager loops', () => {
    // Prepare
    const pulled = [
      aSourceEmployee('1', { sourceManagerId: '2' }),
      aSourceEmployee('2', { sourceManagerId: '1' }),
      aSourceEmployee('3', { workEmail: 'same@example.com' }),
      aSourceEmployee('4', { workEmail: 'same@example.com' }),
    ];

    // Act
    const result = plan({ pulled });

    // Assess
    const codes = result.warnings.map((w) => w.code);
    expect(codes).toEqual(expect.arrayContaining(['duplicate-work-email', 'manager-loop']));
    expect(result.warnings.find((w) => w.code === 'manager-loop')?.employeeIds?.sort()).toEqual(['1', '2']);
  });

  describe('deactivation safeguard', () => {
    const tenSynced = () => snapshotOf(...Array.from({ length: 30 }, (_, i) => aSyncedEntry(anEmployee(String(i + 1)))));

    it('holds a run that would deactivate more than 20% and more than 5, applying nothing', () => {
      // Prepare
      const pulled = Array.from({ length: 23 }, (_, i) => aSourceEmployee(String(i + 1)));

      // Act
      const result = plan({ previous: tenSynced(), pulled });

      // Assess
      expect(result.outcome).toBe('held');
      expect(result.changes).toEqual([]);
      expect(result.snapshotWrites).toEqual([]);
      expect(result.held).toMatchObject({ wouldDeactivate: 7, syncedBefore: 30, thresholdPct: 20, thresholdMin: 5 });
      expect(result.counts.deactivated).toBe(7);
    });

    it('applies the same run when support allows deactivations', () => {
      // Prepare
      const pulled = Array.from({ length: 23 }, (_, i) => aSourceEmployee(String(i + 1)));

      // Act
      const result = plan({ previous: tenSynced(), pulled, approval: { kind: 'all' } });

      // Assess
      expect(result.outcome).toBe('apply');
      expect(result.changes).toHaveLength(7);
    });

    it('holds a mass reactivation by the same thresholds: people who opted out come back only when allowed (hardening 4)', () => {
      // Prepare: 20 synced, 10 excluded who are no longer excluded (e.g. exclusion was turned off)
      const previous = snapshotOf(
        ...Array.from({ length: 20 }, (_, i) => aSyncedEntry(anEmployee(String(i + 1)))),
        ...Array.from({ length: 10 }, (_, i) => ({ ...aSyncedEntry(anEmployee(String(i + 21))), state: 'deactivated' as const, reason: 'excluded' as const })),
      );
      const pulled = Array.from({ length: 30 }, (_, i) => aSourceEmployee(String(i + 1)));

      // Act
      const held = plan({ previous, pulled });
      const approved = plan({ previous, pulled, approval: { kind: 'fingerprint', fingerprint: held.held!.fingerprint! } });

      // Assess
      expect(held.outcome).toBe('held');
      expect(held.changes).toEqual([]);
      expect(held.held).toMatchObject({ wouldDeactivate: 0, wouldReactivate: 10, syncedBefore: 20 });
      expect(held.held!.sample[0]).toMatchObject({ employeeId: '21', type: 'reactivated' });
      expect(approved.outcome).toBe('apply');
      expect(approved.counts.reactivated).toBe(10);
    });

    it('applies an approval only to exactly what was held, and holds again when the set changed (hardening 5)', () => {
      // Prepare
      const pulled = Array.from({ length: 23 }, (_, i) => aSourceEmployee(String(i + 1)));
      const held = plan({ previous: tenSynced(), pulled });
      const fingerprint = held.held!.fingerprint!;

      // Act: one more person left since the hold
      const changed = plan({ previous: tenSynced(), pulled: pulled.slice(0, 22), approval: { kind: 'fingerprint', fingerprint } });
      const same = plan({ previous: tenSynced(), pulled, approval: { kind: 'fingerprint', fingerprint } });

      // Assess
      expect(changed.outcome).toBe('held');
      expect(changed.held).toMatchObject({ wouldDeactivate: 8 });
      expect(changed.held!.fingerprint).not.toBe(fingerprint);
      expect(same.outcome).toBe('apply');
      expect(same.counts.deactivated).toBe(7);
    });

    it('lets through a run within either bound', () => {
      // Prepare: 5 of 30 is more than... 16%, under 20%
      const pulled = Array.from({ length: 25 }, (_, i) => aSourceEmployee(String(i + 1)));

      // Act
      const result = plan({ previous: tenSynced(), pulled });

      // Assess
      expect(result.outcome).toBe('apply');
      expect(result.counts.deactivated).toBe(5);
    });
  });
});

describe('planSync: org fields while "Reports To" is hidden (hardening 1)', () => {
  const orgHidden = new Set<DiffedField>(['managerId', 'directReportIds']);

  it('keeps the last told manager and direct reports in the snapshot and the employee body, and sends them once visible again', () => {
    // Prepare: M manages A, as told; then Reports To is hidden while A leaves and M changes title
    const told = snapshotOf(aSyncedEntry(anEmployee('1', { directReportIds: ['2'] })), aSyncedEntry(anEmployee('2', { managerId: '1' })));
    const hidden = plan({
      previous: told,
      pulled: [aSourceEmployee('1', { jobTitle: 'Director' }), aSourceEmployee('2', { status: 'inactive' })],
      unknownFields: orgHidden,
    });

    // Act: access comes back, nothing else changed
    const afterHidden = snapshotOf(...hidden.snapshotWrites);
    const visible = plan({
      previous: afterHidden,
      pulled: [aSourceEmployee('1', { jobTitle: 'Director' }), aSourceEmployee('2', { status: 'inactive', sourceManagerId: '1' })],
    });

    // Assess: while hidden, the product was told only the title and the departure, with the old org values
    const update = hidden.changes.find((c) => c.employeeId === '1')!;
    expect(update.changes).toEqual({ jobTitle: { from: 'Engineer', to: 'Director' } });
    expect(update.employee).toMatchObject({ managerId: null, directReportIds: ['2'] });
    expect(afterHidden.get('1')?.employee.directReportIds).toEqual(['2']);
    expect(hidden.changes.find((c) => c.employeeId === '2')?.employee).toMatchObject({ managerId: '1', directReportIds: [] });
    // ...and once visible, the org change that happened meanwhile is sent
    expect(visible.changes.map((c) => [c.employeeId, c.changes])).toEqual([['1', { directReportIds: { from: ['2'], to: [] } }]]);
  });

  it('creates a new employee with no manager and no reports while the org is hidden, and fills them in later', () => {
    // Prepare
    const told = snapshotOf(aSyncedEntry(anEmployee('1')));
    const hidden = plan({ previous: told, pulled: [aSourceEmployee('1'), aSourceEmployee('2', { sourceManagerId: '1' })], unknownFields: orgHidden });

    // Act
    const visible = plan({ previous: snapshotOf(aSyncedEntry(anEmployee('1')), ...hidden.snapshotWrites), pulled: [aSourceEmployee('1'), aSourceEmployee('2', { sourceManagerId: '1' })] });

    // Assess
    expect(hidden.changes.map((c) => [c.type, c.employeeId, c.employee.managerId, c.employee.directReportIds])).toEqual([['created', '2', null, []]]);
    expect(visible.changes.map((c) => [c.employeeId, c.changes])).toEqual([
      ['1', { directReportIds: { from: [], to: ['2'] } }],
      ['2', { managerId: { from: null, to: '1' } }],
    ]);
  });
});
