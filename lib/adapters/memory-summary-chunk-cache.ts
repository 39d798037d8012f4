import type { SummaryChunkCache, SummaryChunkKey } from '../ports.js';
import type { SummaryStub } from '../sync/snapshot-summary.js';

/** About 200 bytes of heap per stub: the default keeps ~40 MB, ten tenants of 20,000 or thousands of small ones. */
export const DEFAULT_SUMMARY_CACHE_STUBS = 200_000;

const keyOf = (key: SummaryChunkKey): string => `${key.tenantId}\u0000${key.index}/${key.of}#${key.slot}:${key.sum}`;

/**
 * Decoded summary chunks kept in the worker's memory between invocations, least recently used first
 * out, at most `maxStubs` stubs in all. Frozen as they go in: a caller that tried to change a shared
 * stub would fail loudly instead of corrupting another run's plan.
 */
export class MemorySummaryChunkCache implements SummaryChunkCache {
  private readonly chunks = new Map<string, readonly SummaryStub[]>();
  private stubs = 0;
  /** Chunks found and not found, since the worker started. */
  hits = 0;
  misses = 0;

  constructor(private readonly maxStubs = DEFAULT_SUMMARY_CACHE_STUBS) {}

  get(key: SummaryChunkKey): readonly SummaryStub[] | undefined {
    const id = keyOf(key);
    const found = this.chunks.get(id);
    if (found) {
      // Most recently used last.
      this.chunks.delete(id);
      this.chunks.set(id, found);
      this.hits += 1;
    } else this.misses += 1;
    return found;
  }

  set(key: SummaryChunkKey, stubs: readonly SummaryStub[]): void {
    if (stubs.length > this.maxStubs) return;
    const id = keyOf(key);
    const previous = this.chunks.get(id);
    if (previous) {
      this.chunks.delete(id);
      this.stubs -= previous.length;
    }
    for (const stub of stubs) Object.freeze(stub);
    this.chunks.set(id, Object.freeze(stubs));
    this.stubs += stubs.length;
    for (const [oldest, chunk] of this.chunks) {
      if (this.stubs <= this.maxStubs) break;
      this.chunks.delete(oldest);
      this.stubs -= chunk.length;
    }
  }

  /** What it holds: chunks and stubs. */
  get size(): { chunks: number; stubs: number } {
    return { chunks: this.chunks.size, stubs: this.stubs };
  }
}
