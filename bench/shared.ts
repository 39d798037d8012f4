/**
 * Types and small helpers shared by the bench orchestrator (bench/run.ts) and the measured child
 * processes (bench/child.ts). Nothing here does I/O.
 */
import type { Config } from '../lib/config.js';
import type { SyncJob } from '../lib/model/job.js';
import type { RunRecord } from '../lib/model/run.js';

/** DynamoDbBatchWriter's default concurrency (BatchWriteItem calls in flight): the floor uses the same. */
export const SYNC_BATCH_CONCURRENCY = 8;

/** One measured task, run in its own child process so that its peak RSS is its own. */
export type ChildTask =
  | {
      kind: 'sync';
      config: Config;
      tenantId: string;
      job: SyncJob;
      /** The naive source (one GET per employee) instead of the custom report. */
      naive?: { concurrency: number };
      /** Hide the snapshot summary: the run reads the whole snapshot, as every run did before it existed. */
      fullRead?: boolean;
      /** A job run first in the same process, unmeasured: the measured one then runs warm, as in a warm Lambda. */
      warmup?: SyncJob;
      /** How many times the warm-up job runs first (default 1), each as its own job. */
      warmups?: number;
    }
  | { kind: 'pull'; config: Config; tenantId: string; repeat: number }
  | {
      kind: 'floor';
      config: Config;
      tenantId: string;
      job: SyncJob;
      /** Where the floor's items go (same tables, another tenant): the sync's own data is untouched. */
      floorTenantId: string;
      concurrency: number;
      /** Where the planned writes are kept: written by the first floor, read back by a `replay`. */
      planFile: string;
      replay: boolean;
    }
  | { kind: 'fanout'; config: Config; periodStart: string; sqs: 'emulator' | 'counting' }
  | { kind: 'diff'; employees: number; changedPct: number; seed: number; today: string };

export interface MemoryFigures {
  /** max(sampled RSS every ~10 ms, process.resourceUsage().maxRSS): the whole child's peak. */
  peakRssMb: number;
  /** RSS once modules were loaded and the adapters built, before the measured work. */
  baselineRssMb: number;
  sampledPeakRssMb: number;
  maxRssMb: number;
}

export interface SyncChildResult extends MemoryFigures {
  kind: 'sync';
  wallMs: number;
  run: Pick<RunRecord, 'status' | 'kind' | 'counts' | 'feed' | 'bamboohrRequests' | 'employeesSynced' | 'error'> & { warnings: string[] };
  outcome: string;
  batchWrite: { requests: number; itemsWritten: number; retries: number; throttled: number };
  /** Every DynamoDB API call the sync made, by command. */
  dynamoByCommand: Record<string, number>;
  /** What DynamoDB says it consumed (ReturnConsumedCapacity), and the reads: calls and items. */
  capacity: CapacityFigures;
  /** Chunks of the snapshot summary written (counted in batchWrite.itemsWritten too). */
  summaryChunksWritten: number;
  /** Time spent in each port call (sequential in the use case, so they add up). */
  phases: Record<string, number>;
}

export interface CapacityFigures {
  readUnits: number;
  writeUnits: number;
  /** GetItem, BatchGetItem, Query and Scan calls. */
  readCalls: number;
  /** Items those calls returned. */
  itemsRead: number;
}

/** The pull floor: fetching and parsing the same report from the simulator, nothing else. */
export interface PullChildResult extends MemoryFigures {
  kind: 'pull';
  /** The median of `repeat` pulls. */
  wallMs: number;
  wallMsRuns: number[];
  employees: number;
}

export interface FloorChildResult extends MemoryFigures {
  kind: 'floor';
  floorMs: number;
  feedItems: number;
  snapshotItems: number;
  feedMs: number;
  snapshotMs: number;
  requests: number;
  /** Bytes of the `data` attributes written, to compare item sizes with the sync's. */
  dataBytes: number;
}

/** One simulated period of the scheduler (an invocation a minute): the work per invocation and the spread of jobs. */
export interface FanoutChildResult extends MemoryFigures {
  kind: 'fanout';
  /** All invocations of the period together. */
  wallMs: number;
  invocations: number;
  tenants: number;
  sent: number;
  batches: number;
  sendMessageBatchCalls: number;
  dynamoByCommand: Record<string, number>;
  /** Jobs enqueued by each invocation (= each minute). */
  jobsPerMinute: { max: number; mean: number; min: number };
  /** The even spread: tenants / minutes of the period. */
  evenPerMinute: number;
  /** Work of one invocation: DynamoDB calls and wall time, at most and on average. */
  perInvocation: { maxDynamoCalls: number; meanDynamoCalls: number; maxMs: number; meanMs: number; sweepInvocations: number; sweepDynamoCalls: number };
}

export interface DiffChildResult extends MemoryFigures {
  kind: 'diff';
  /** The first planSync call in a fresh process (what one Lambda invocation pays). */
  wallMs: number;
  /** Median of the next runs (warm JIT). */
  warmMs: number;
  changed: number;
  changes: number;
  snapshotWrites: number;
  heapDeltaMb: number;
  rssDeltaMb: number;
  /** Heap still held after a GC while the plan is alive: the plan's own size. */
  retainedHeapMb: number;
}

export type ChildResult = SyncChildResult | FloorChildResult | FanoutChildResult | DiffChildResult | PullChildResult;

export type ChildMessage = { ok: true; result: ChildResult } | { ok: false; error: string };

export const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;
