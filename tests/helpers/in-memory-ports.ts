import { afterBeyondFeed, TenantChangedError, TenantExistsError, TenantNotFoundError } from '../../lib/errors.js';
import type { ChangeRecord } from '../../lib/model/change.js';
import type { SyncJob } from '../../lib/model/job.js';
import type { RunRecord } from '../../lib/model/run.js';
import type { SnapshotEntry } from '../../lib/model/snapshot.js';
import { madeActiveByHand, TENANT_CONFIGURATION_ATTRIBUTES, type Tenant } from '../../lib/model/tenant.js';
import type {
  ChangeFeed,
  Clock,
  FeedAppend,
  Invite,
  InviteStore,
  OAuthState,
  JobQueue,
  MarkerStore,
  PendingAppend,
  ScheduleState,
  RunStore,
  SecretStore,
  SnapshotStore,
  StatusTransition,
  TenantSecret,
  TenantStatusWriter,
  TenantStore,
} from '../../lib/ports.js';
import type { Log } from '../../lib/logging.js';
import { slotKeyOf } from '../../lib/sync/schedule.js';
import { ALERT_TYPES, type ActivityEvent } from '../../lib/model/activity.js';
import type { ActivityRecorder, NewActivity } from '../../lib/use-cases/record-activity.js';

const clone = <T>(value: T): T => structuredClone(value);

export class InMemoryTenantStore implements TenantStore, TenantStatusWriter {
  readonly items = new Map<string, Tenant>();
  async get(tenantId: string) {
    const t = this.items.get(tenantId);
    return t ? clone(t) : null;
  }
  async create(tenant: Tenant) {
    if (this.items.has(tenant.tenantId)) throw new TenantExistsError(tenant.tenantId);
    this.items.set(tenant.tenantId, clone(tenant));
  }
  async save(tenant: Tenant, options: { expectedStatus?: Tenant['status'] } = {}) {
    const existing = this.items.get(tenant.tenantId);
    if (!existing) throw new TenantNotFoundError(tenant.tenantId);
    if (options.expectedStatus && existing.status !== options.expectedStatus) throw new TenantChangedError(tenant.tenantId);
    // As DynamoDbTenantStore: only the configuration is written, whatever else the caller read before.
    const saved = clone(tenant);
    const next: Tenant = { ...existing };
    for (const attribute of TENANT_CONFIGURATION_ATTRIBUTES) (next as Record<string, unknown>)[attribute] = saved[attribute];
    if (madeActiveByHand(tenant, options.expectedStatus)) next.recoveryPending = true;
    this.items.set(tenant.tenantId, next);
  }
  async listByStatus(status: Tenant['status'], cursor?: string, limit = 100) {
    return this.page([...this.items.values()].filter((t) => t.status === status), cursor, limit);
  }
  async list(cursor?: string, limit = 100) {
    return this.page([...this.items.values()], cursor, limit);
  }
  private page(all: Tenant[], cursor: string | undefined, limit: number) {
    const sorted = all.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
    const start = cursor ? Number(cursor) : 0;
    const tenants = sorted.slice(start, start + limit).map(clone);
    return start + limit < sorted.length ? { tenants, cursor: String(start + limit) } : { tenants };
  }
  async delete(tenantId: string) {
    this.items.delete(tenantId);
  }
  async recordRun(tenantId: string, summary: NonNullable<Tenant['lastRun']>, status?: StatusTransition) {
    const t = this.items.get(tenantId);
    if (!t) return false;
    t.lastRun = clone(summary);
    if (summary.status === 'succeeded') {
      t.lastSuccessAt = summary.finishedAt ?? summary.startedAt;
      t.staleSince = null;
    }
    if (summary.status === 'held') t.heldRun ??= { runId: summary.runId, since: summary.finishedAt ?? summary.startedAt };
    else if (summary.status === 'succeeded' && summary.kind === 'full') t.heldRun = null;
    if (status && status.from.includes(t.status) && (!status.whileRecoveryPending || t.recoveryPending)) {
      if (status.status === 'active' && !status.from.includes('active')) t.activeSince = summary.finishedAt ?? summary.startedAt;
      t.recoveryPending = false;
      t.status = status.status;
      t.statusReason = status.reason;
      t.attention = clone(status.attention);
      return true;
    }
    return false;
  }
  async listDue(fromSlot: number, toSlot: number, cursor?: string, limit = 100) {
    const due = [...this.items.values()]
      .filter((t) => t.status === 'active')
      .map((t) => ({ tenantId: t.tenantId, slotKey: slotKeyOf(t.tenantId), createdAt: t.createdAt, lastSuccessAt: t.lastSuccessAt, staleSince: t.staleSince, activeSince: t.activeSince }))
      .filter((t) => t.slotKey >= fromSlot && t.slotKey < toSlot)
      .sort((a, b) => a.slotKey - b.slotKey);
    const start = cursor ? Number(cursor) : 0;
    const tenants = due.slice(start, start + limit);
    return start + limit < due.length ? { tenants, cursor: String(start + limit) } : { tenants };
  }
  async markStale(tenantId: string, at: string, notSyncedSince: string) {
    const t = this.items.get(tenantId);
    if (!t || t.status !== 'active' || t.staleSince || (t.lastSuccessAt !== null && t.lastSuccessAt >= notSyncedSince)) return false;
    t.staleSince = at;
    return true;
  }
  async assignMissingSlots() {
    return 0;
  }
}

export class InMemorySnapshotStore implements SnapshotStore {
  readonly items = new Map<string, Map<string, SnapshotEntry>>();
  /** The summary's chunks, by `<tenant>/<index>#<slot>`. */
  readonly chunks = new Map<string, Uint8Array>();
  puts = 0;
  /** Loads of the whole snapshot, and entries read one by one: what a run reads. */
  loads = 0;
  entriesRead = 0;
  async get(tenantId: string, employeeIds: readonly string[]) {
    const map = this.items.get(tenantId) ?? new Map<string, SnapshotEntry>();
    const found = [...new Set(employeeIds)].flatMap((id) => (map.has(id) ? [clone(map.get(id)!)] : []));
    this.entriesRead += found.length;
    return found;
  }
  async readSummaryChunks(tenantId: string, chunks: ReadonlyArray<{ index: number; slot: 0 | 1 }>) {
    return chunks.map((c) => {
      const bytes = this.chunks.get(`${tenantId}/${c.index}#${c.slot}`);
      return bytes ? new Uint8Array(bytes) : null;
    });
  }
  async writeSummaryChunks(tenantId: string, chunks: ReadonlyArray<{ index: number; slot: 0 | 1; bytes: Uint8Array }>) {
    for (const c of chunks) this.chunks.set(`${tenantId}/${c.index}#${c.slot}`, new Uint8Array(c.bytes));
  }
  async load(tenantId: string) {
    this.loads += 1;
    return new Map([...(this.items.get(tenantId) ?? new Map<string, SnapshotEntry>())].map(([k, v]) => [k, clone(v)]));
  }
  async put(tenantId: string, entries: readonly SnapshotEntry[]) {
    const map = this.items.get(tenantId) ?? new Map<string, SnapshotEntry>();
    for (const entry of entries) map.set(entry.employee.id, clone(entry));
    this.items.set(tenantId, map);
    this.puts += entries.length;
  }
  async page(tenantId: string, cursor?: string, limit = 100) {
    const all = [...(this.items.get(tenantId)?.values() ?? [])].sort((a, b) => (a.employee.id < b.employee.id ? -1 : 1));
    const start = cursor ? Number(cursor) : 0;
    const entries = all.slice(start, start + limit).map(clone);
    return start + limit < all.length ? { entries, cursor: String(start + limit) } : { entries };
  }
  async deleteAll(tenantId: string) {
    this.items.delete(tenantId);
    for (const key of [...this.chunks.keys()]) if (key.startsWith(`${tenantId}/`)) this.chunks.delete(key);
  }
}

export class InMemoryChangeFeed implements ChangeFeed {
  readonly records = new Map<string, Map<number, FeedAppend>>();
  readonly meta = new Map<
    string,
    { nextSeq: number; committedSeq: number; pending?: PendingAppend; summary?: { head: Uint8Array; version: number }; summaryStale?: boolean }
  >();
  writes = 0;
  private metaOf(tenantId: string) {
    let m = this.meta.get(tenantId);
    if (!m) {
      m = { nextSeq: 1, committedSeq: 0 };
      this.meta.set(tenantId, m);
    }
    return m;
  }
  async pending(tenantId: string) {
    const p = this.metaOf(tenantId).pending;
    return p ? { ...p } : null;
  }
  async state(tenantId: string) {
    const m = this.metaOf(tenantId);
    return {
      pending: m.pending ? { ...m.pending } : null,
      committedSeq: m.committedSeq,
      nextSeq: m.nextSeq,
      summary: m.summary ? { head: new Uint8Array(m.summary.head), version: m.summary.version } : null,
      summaryStale: m.summaryStale ?? false,
    };
  }
  async reserve(tenantId: string, runId: string, count: number) {
    const m = this.metaOf(tenantId);
    if (m.pending) throw new Error(`An append is already pending for ${tenantId} (run ${m.pending.runId})`);
    const pending = { runId, firstSeq: m.nextSeq, lastSeq: m.nextSeq + count - 1 };
    m.nextSeq += count;
    m.pending = pending;
    m.summaryStale = true;
    return { ...pending };
  }
  async markSummaryStale(tenantId: string) {
    this.metaOf(tenantId).summaryStale = true;
  }
  async saveSummary(tenantId: string, head: Uint8Array, expectedVersion: number | null) {
    const m = this.metaOf(tenantId);
    if (m.pending || (m.summary?.version ?? null) !== expectedVersion) return false;
    m.summary = { head: new Uint8Array(head), version: (expectedVersion ?? 0) + 1 };
    delete m.summaryStale;
    return true;
  }
  async write(appends: readonly FeedAppend[]) {
    for (const append of appends) {
      const map = this.records.get(append.record.tenantId) ?? new Map<number, FeedAppend>();
      map.set(append.record.seq, clone(append));
      this.records.set(append.record.tenantId, map);
      this.writes += 1;
    }
  }
  async readRange(tenantId: string, firstSeq: number, lastSeq: number) {
    return [...(this.records.get(tenantId)?.values() ?? [])]
      .filter((a) => a.record.seq >= firstSeq && a.record.seq <= lastSeq)
      .sort((a, b) => a.record.seq - b.record.seq)
      .map(clone);
  }
  async readSeqs(tenantId: string, seqs: readonly number[]) {
    const wanted = new Set(seqs);
    return [...(this.records.get(tenantId)?.values() ?? [])].filter((a) => wanted.has(a.record.seq)).sort((a, b) => a.record.seq - b.record.seq).map(clone);
  }
  async committedSeq(tenantId: string) {
    return this.metaOf(tenantId).committedSeq;
  }
  async commit(tenantId: string, pending: PendingAppend, summary?: { head: Uint8Array; expectedVersion: number | null }) {
    const m = this.metaOf(tenantId);
    if (m.pending?.runId !== pending.runId) throw new Error('no such pending append');
    m.committedSeq = pending.lastSeq;
    delete m.pending;
    // The summary switches with the commit only if it is still the one the run read.
    if (summary && (m.summary?.version ?? null) === summary.expectedVersion) {
      m.summary = { head: new Uint8Array(summary.head), version: (summary.expectedVersion ?? 0) + 1 };
      delete m.summaryStale;
    }
  }
  async list(tenantId: string, after: number, limit: number) {
    const committed = this.metaOf(tenantId).committedSeq;
    if (after > committed) throw afterBeyondFeed(after, committed);
    const changes = [...(this.records.get(tenantId)?.values() ?? [])]
      .map((a) => a.record)
      .filter((r) => r.seq > after && r.seq <= committed)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map(clone);
    return { changes, nextAfter: changes.at(-1)?.seq ?? after };
  }
  async deleteAll(tenantId: string) {
    this.records.delete(tenantId);
    const m = this.metaOf(tenantId);
    delete m.pending;
    delete m.summary;
    delete m.summaryStale;
    m.committedSeq = m.nextSeq - 1;
  }
  /** Every record of a tenant, committed or not, in seq order. */
  all(tenantId: string): ChangeRecord[] {
    return [...(this.records.get(tenantId)?.values() ?? [])].map((a) => a.record).sort((a, b) => a.seq - b.seq);
  }
}

export class InMemoryRunStore implements RunStore {
  readonly items = new Map<string, RunRecord>();
  private key = (tenantId: string, runId: string) => `${tenantId}/${runId}`;
  async start(run: RunRecord) {
    const existing = this.items.get(this.key(run.tenantId, run.runId));
    if (existing) return { created: false as const, existing: clone(existing) };
    this.items.set(this.key(run.tenantId, run.runId), clone(run));
    return { created: true as const };
  }
  async finish(run: RunRecord) {
    this.items.set(this.key(run.tenantId, run.runId), clone(run));
  }
  async get(tenantId: string, runId: string) {
    const r = this.items.get(this.key(tenantId, runId));
    return r ? clone(r) : null;
  }
  async list(tenantId: string, limit: number) {
    return [...this.items.values()]
      .filter((r) => r.tenantId === tenantId)
      .sort((a, b) => (a.runId < b.runId ? 1 : -1))
      .slice(0, limit)
      .map(clone);
  }
  async deleteAll(tenantId: string) {
    for (const [k, r] of this.items) if (r.tenantId === tenantId) this.items.delete(k);
  }
}

export class InMemorySecretStore implements SecretStore {
  readonly items = new Map<string, TenantSecret>();
  readonly reads: string[] = [];
  /** The reads that bypassed the cache. */
  readonly freshReads: string[] = [];
  /** What a cache would still answer (set it to simulate a stale cached secret); `fresh` reads skip it. */
  readonly cached = new Map<string, TenantSecret>();
  async get(tenantId: string, options: { fresh?: boolean } = {}) {
    this.reads.push(tenantId);
    if (options.fresh) this.freshReads.push(tenantId);
    const s = (!options.fresh && this.cached.get(tenantId)) || this.items.get(tenantId);
    return s ? { ...s } : null;
  }
  /** Each tenant's current version, and a pending one (saved, not yet made current). */
  readonly versions = new Map<string, number>();
  readonly pending = new Map<string, { secret: TenantSecret; version: string; replaces: string }>();
  /** Set to make the next replaceIfCurrent die after storing the pending version (a crash in between). */
  dieAfterPending = false;
  async put(tenantId: string, secret: TenantSecret) {
    this.items.set(tenantId, structuredClone(secret));
    this.versions.set(tenantId, (this.versions.get(tenantId) ?? 0) + 1);
  }
  async delete(tenantId: string) {
    this.items.delete(tenantId);
    this.pending.delete(tenantId);
  }
  async getVersioned(tenantId: string) {
    const secret = this.items.get(tenantId);
    if (!secret) return null;
    const version = `v${this.versions.get(tenantId) ?? 1}`;
    const pending = this.pending.get(tenantId);
    return {
      secret: structuredClone(secret),
      version,
      pending: pending && pending.replaces === version ? { secret: structuredClone(pending.secret), version: pending.version } : null,
    };
  }
  async replaceIfCurrent(tenantId: string, secret: TenantSecret, version: string) {
    const next = `v${(this.versions.get(tenantId) ?? 1) + 1}-p`;
    this.pending.set(tenantId, { secret: structuredClone(secret), version: next, replaces: version });
    if (this.dieAfterPending) {
      this.dieAfterPending = false;
      throw new Error('Lambda killed');
    }
    if (`v${this.versions.get(tenantId) ?? 1}` !== version || !this.items.has(tenantId)) return false;
    this.items.set(tenantId, structuredClone(secret));
    this.versions.set(tenantId, (this.versions.get(tenantId) ?? 1) + 1);
    this.pending.delete(tenantId);
    return true;
  }
}

export class InMemoryJobQueue implements JobQueue {
  readonly jobs: SyncJob[] = [];
  async enqueue(jobs: readonly SyncJob[]) {
    this.jobs.push(...jobs.map(clone));
    return { sent: jobs.length, batches: Math.ceil(jobs.length / 10) };
  }
}

/** One-time markers with an expiry, as DynamoDbMarkerStore keeps them. */
export class InMemoryMarkerStore implements MarkerStore {
  readonly items = new Map<string, Date>();
  constructor(private readonly clock: Clock = { now: () => new Date() }) {}
  async claim(key: string, expiresAt: Date) {
    const held = this.items.get(key);
    if (held && held.getTime() > this.clock.now().getTime()) return false;
    this.items.set(key, expiresAt);
    return true;
  }
  async release(key: string) {
    this.items.delete(key);
  }
  async renew(key: string, expiresAt: Date) {
    this.items.set(key, expiresAt);
  }
}

export class FixedClock implements Clock {
  constructor(private current = new Date('2026-11-25T10:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** A Log that keeps every line, to assert on what was (and was not) logged. */
export class RecordingLog implements Log {
  readonly lines: { level: string; message: string; extra: Record<string, unknown>[] }[] = [];
  debug(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: 'error', message, extra });
  }
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.extra)}`).join('\n');
  }
}

/** The activity recorder of the use cases, keeping what they record (alert types separately, as published). */
export class RecordingActivity implements ActivityRecorder {
  readonly events: ActivityEvent[] = [];
  private n = 0;
  constructor(private readonly clock: Clock = new FixedClock()) {}
  async record(input: NewActivity) {
    const at = this.clock.now().toISOString();
    this.n += 1;
    const event: ActivityEvent = { ...input, runId: input.runId ?? null, at, id: `${at}#${String(this.n).padStart(4, '0')}` };
    this.events.push(event);
    return event;
  }
  get alerts(): ActivityEvent[] {
    return this.events.filter((e) => ALERT_TYPES.has(e.type));
  }
  types(tenantId?: string): string[] {
    return this.events.filter((e) => !tenantId || e.tenantId === tenantId).map((e) => e.type);
  }
}

/** The scheduler's cursor, as DynamoDbScheduleState keeps it. */
export class InMemoryScheduleState implements ScheduleState {
  value: number | null = null;
  periodMs: number | null = null;
  async read() {
    return this.value === null ? null : { coveredUntil: this.value, periodMs: this.periodMs };
  }
  async advance(from: number | null, to: number, periodMs: number) {
    if (this.value !== from) return false;
    this.value = to;
    this.periodMs = periodMs;
    return true;
  }
}

export class InMemoryInviteStore implements InviteStore {
  readonly invites = new Map<string, Invite>();
  readonly states = new Map<string, OAuthState>();
  async create(hash: string, invite: Invite) {
    if (this.invites.has(hash)) throw new Error('exists');
    this.invites.set(hash, structuredClone(invite));
  }
  async get(hash: string) {
    const invite = this.invites.get(hash);
    return invite ? structuredClone(invite) : null;
  }
  async setPending(hash: string, pending: Invite['pending']) {
    const invite = this.invites.get(hash);
    if (invite) invite.pending = structuredClone(pending);
  }
  async claim(hash: string, at: string, until: string) {
    const invite = this.invites.get(hash);
    if (!invite || invite.usedAt !== null) return 'used' as const;
    if (invite.connectingUntil && invite.connectingUntil >= at) return 'busy' as const;
    invite.connectingUntil = until;
    return 'claimed' as const;
  }
  async spend(hash: string, at: string) {
    const invite = this.invites.get(hash);
    if (!invite || invite.usedAt !== null) return false;
    invite.usedAt = at;
    invite.connectingUntil = null;
    return true;
  }
  async release(hash: string, until: string) {
    const invite = this.invites.get(hash);
    if (invite && invite.connectingUntil === until) invite.connectingUntil = null;
  }
  async putState(hash: string, state: OAuthState) {
    this.states.set(hash, { ...state });
  }
  async takeState(hash: string, inviteHash: string) {
    const state = this.states.get(hash) ?? null;
    if (!state || state.inviteHash !== inviteHash) return null;
    this.states.delete(hash);
    return state;
  }
}
