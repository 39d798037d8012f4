import { MemorySummaryChunkCache } from '../../lib/adapters/memory-summary-chunk-cache.js';
import type { SummaryChunkKey } from '../../lib/ports.js';
import type { SummaryStub } from '../../lib/sync/snapshot-summary.js';

const stubs = (count: number, prefix = 'e'): SummaryStub[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, hash: '0'.repeat(32), state: 'synced', reason: null, sourceManagerId: null, orgDerived: true }));
const key = (over: Partial<SummaryChunkKey> = {}): SummaryChunkKey => ({ tenantId: 'acme', index: 0, of: 2, slot: 0, sum: 'aaaaaaaaaaaaaaaa', ...over });

describe('MemorySummaryChunkCache', () => {
  it('answers only the exact chunk: tenant, place, count of chunks, slot and checksum', () => {
    // Prepare
    const cache = new MemorySummaryChunkCache(100);
    const chunk = stubs(3);

    // Act
    cache.set(key(), chunk);

    // Assess
    expect(cache.get(key())).toBe(chunk);
    for (const other of [{ tenantId: 'globex' }, { index: 1 }, { of: 4 }, { slot: 1 as const }, { sum: 'bbbbbbbbbbbbbbbb' }]) expect(cache.get(key(other))).toBeUndefined();
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 5 });
  });

  it('keeps at most its budget of stubs, the least recently used going first, and never a chunk larger than it', () => {
    // Prepare
    const cache = new MemorySummaryChunkCache(10);
    cache.set(key({ index: 0 }), stubs(4, 'a'));
    cache.set(key({ index: 1 }), stubs(4, 'b'));

    // Act: chunk 0 is used, then a third chunk needs room; then one larger than the budget
    cache.get(key({ index: 0 }));
    cache.set(key({ index: 2 }), stubs(4, 'c'));
    cache.set(key({ index: 3 }), stubs(11, 'd'));

    // Assess
    expect(cache.get(key({ index: 1 }))).toBeUndefined();
    expect(cache.get(key({ index: 0 }))).toHaveLength(4);
    expect(cache.get(key({ index: 2 }))).toHaveLength(4);
    expect(cache.get(key({ index: 3 }))).toBeUndefined();
    expect(cache.size).toEqual({ chunks: 2, stubs: 8 });
  });

  it('freezes what it keeps: a run that tried to change a shared stub would fail, not corrupt the next plan', () => {
    // Prepare
    const cache = new MemorySummaryChunkCache(10);
    cache.set(key(), stubs(2));
    const kept = cache.get(key()) as SummaryStub[];

    // Act
    const changeStub = () => {
      kept[0]!.hash = 'f'.repeat(32);
    };
    const changeChunk = () => kept.push(stubs(1, 'x')[0]!);

    // Assess
    expect(changeStub).toThrow(TypeError);
    expect(changeChunk).toThrow(TypeError);
    expect(kept[0]!.hash).toBe('0'.repeat(32));
  });
});
