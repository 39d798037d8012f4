import { MemorySummaryChunkCache } from '../../lib/adapters/memory-summary-chunk-cache.js';
import type { RawEmployeeRow } from '../../lib/bamboohr/raw-schema.js';
import type { SyncTenantResult } from '../../lib/use-cases/sync-tenant.js';
import { aJob } from '../helpers/builders.js';
import { aCompany, aTwinSync, seeded, written } from '../helpers/twin-sync.js';

const FIELDS = ['employeeNumber', 'firstName', 'middleName', 'lastName', 'preferredName', 'workEmail', 'hireDate', 'originalHireDate', 'jobTitle', 'department', 'division', 'location'];

const outcomeOf = (result: SyncTenantResult | Error) => {
  if (result instanceof Error) return { error: result.name };
  const run = result.run;
  return {
    outcome: result.outcome,
    counts: run?.counts,
    held: run?.held ? { ...run.held } : null,
    employeesSynced: run?.employeesSynced,
    warnings: run?.warnings,
  };
};

describe('the snapshot summary never hides a change (issue 17): runs against it write exactly what runs reading the whole snapshot write', () => {
  const TINY = { chunkTargetBytes: 150, chunkMaxBytes: 400, deltaMaxBytes: 60 };
  it.each([
    [1, 'default sizes'],
    [2, 'default sizes'],
    [3, 'default sizes'],
    [4, 'default sizes'],
    [5, 'tiny chunks and delta (folds and rebuilds)'],
    [6, 'tiny chunks and delta (folds and rebuilds)'],
    [7, 'tiny chunks and delta (folds and rebuilds)'],
    [8, 'tiny chunks and delta (folds and rebuilds)'],
    [9, 'default sizes, chunks kept between runs'],
    [10, 'tiny chunks and delta, chunks kept between runs (a cache of 12 stubs: evictions)'],
    [11, 'tiny chunks and delta, chunks kept between runs'],
  ])('random edits of every kind over 30 runs, full and targeted (seed %i, %s)', async (seed, sizes) => {
    // Prepare
    const random = seeded(seed);
    const cache = sizes.includes('kept between runs') ? new MemorySummaryChunkCache(sizes.includes('12 stubs') ? 12 : undefined) : undefined;
    const twin = await aTwinSync(aCompany(40), sizes.startsWith('default') ? undefined : TINY, cache ? { cache } : {});
    const deleted = new Map<string, RawEmployeeRow>();
    const hidden = new Set<string>();

    for (let step = 0; step < 30; step += 1) {
      // Act: a few edits of BambooHR's data, then a full or a targeted run on both twins
      const touched = new Set<string>();
      const deletedNow = new Set<string>();
      for (const field of [...hidden]) if (random.next() < 0.5) twin.edit((s) => s.hiddenFields.delete(field)), hidden.delete(field);
      const lastSeen = new Map([...twin.full.source.rows].map(([id, row]) => [id, structuredClone(row)]));
      const edits = 1 + random.int(4);
      for (let e = 0; e < edits; e += 1) {
        const ids = [...twin.summary.source.rows.keys()];
        if (ids.length === 0) break;
        const id = random.pick(ids);
        const kind = random.int(10);
        touched.add(id);
        // Every random choice is made once, then applied to both twins.
        const field = random.pick(FIELDS);
        const value = field === 'workEmail' && random.next() < 0.2 ? '' : `${field}-${step}-${e}`;
        const manager = random.next() < 0.2 ? '' : random.pick(ids);
        const back = deleted.size > 0 ? [...deleted.keys()][random.int(deleted.size)]! : null;
        const hide = random.next() < 0.3 ? random.pick(['supervisorEId', 'jobTitle']) : null;
        if (kind === 6) deletedNow.add(id);
        if (kind === 7 && back) touched.add(back);
        if (kind === 9 && hide) hidden.add(hide);
        twin.edit((source) => {
          const row = source.rows.get(id)!;
          if (kind <= 2) row[field] = value;
          else if (kind === 3) row.supervisorEId = manager;
          else if (kind === 4) row.status = row.status === 'Active' ? 'Inactive' : 'Active';
          else if (kind === 5) row['4501'] = row['4501'] === '1' ? '0' : '1';
          else if (kind === 6) source.rows.delete(id);
          else if (kind === 7 && back) source.rows.set(back, structuredClone(deleted.get(back)!));
          else if (kind === 8) {
            if ('4501' in row) delete row['4501'];
            else row['4501'] = '0';
          } else if (kind === 9 && hide) source.hiddenFields.add(hide);
        });
        if (kind === 6) deleted.set(id, structuredClone(twin.full.source.rows.get(id) ?? lastSeen.get(id)!));
      }
      for (const id of deletedNow) if (twin.summary.source.rows.has(id)) deletedNow.delete(id);
      for (const id of [...deleted.keys()]) if (twin.summary.source.rows.has(id)) deleted.delete(id);
      const targeted = step > 0 && random.next() < 0.35;
      const job = aJob({
        requestedAt: new Date(Date.UTC(2026, 10, 25, 10, step)).toISOString(),
        ...(targeted
          ? { kind: 'employees' as const, requestedBy: 'webhook' as const, employeeIds: [...touched].filter((id) => !deletedNow.has(id)), deletedEmployeeIds: [...deletedNow] }
          : {}),
      });
      const [viaSummary, viaFull] = await twin.run(job);

      // Assess
      expect(outcomeOf(viaSummary)).toEqual(outcomeOf(viaFull));
      expect(await written(twin.summary)).toEqual(await written(twin.full));
    }
    // The summary was used: after the first run, the whole snapshot is read only while a field is hidden.
    expect(twin.summary.snapshots.loads).toBeLessThan(twin.full.snapshots.loads);
    if (cache) expect(cache.hits).toBeGreaterThan(sizes.includes('12 stubs') ? 0 : 10);
  });
});
