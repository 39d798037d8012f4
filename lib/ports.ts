/**
 * The ports the use cases depend on. Adapters (lib/adapters, lib/bamboohr) implement them for AWS
 * and BambooHR; tests use the in-memory fakes in tests/helpers.
 */
import type { RawEmployeeRow, RawFieldMeta } from './bamboohr/raw-schema.js';
import type { ActivityEvent, Alert } from './model/activity.js';
import type { ChangeRecord } from './model/change.js';
import type { SyncJob } from './model/job.js';
import type { RunRecord } from './model/run.js';
import type { SnapshotEntry } from './model/snapshot.js';
import type { Tenant } from './model/tenant.js';
import type { SummaryStub } from './sync/snapshot-summary.js';

// ---------------------------------------------------------------- BambooHR

export interface ReportRequest {
  /** API names or numeric ids of the fields to request. */
  fields: readonly string[];
  /** A targeted pull: only these employees. A full pull when absent. */
  employeeIds?: readonly string[];
}

export interface ReportResult {
  employees: RawEmployeeRow[];
  /** Requested fields that BambooHR left out of its answer (the key cannot see them). */
  missingFields: string[];
}

export interface ChangedEmployee {
  id: string;
  action: 'Inserted' | 'Updated' | 'Deleted';
  lastChanged: string | null;
}

export interface ChangedSince {
  latest: string | null;
  employees: ChangedEmployee[];
}

export interface WebhookRegistration {
  id: string;
  privateKey: string;
}

/** One tenant's BambooHR, reached with its key. */
export interface EmployeeSource {
  fetchReport(request: ReportRequest): Promise<ReportResult>;
  fetchChangedSince(since: string): Promise<ChangedSince>;
  listFields(): Promise<RawFieldMeta[]>;
  createWebhook(input: { name: string; url: string; monitorFields: string[] }): Promise<WebhookRegistration>;
  /** The webhooks the credential's user owns (those it created): each one's id and the URL it calls. */
  listWebhooks(): Promise<Array<{ id: string; url: string }>>;
  /** Deletes one of them (one already gone is no error). */
  deleteWebhook(id: string): Promise<void>;
  /** How many HTTP requests this source has made (for run records and benchmarks). */
  readonly requestCount: number;
}

/** How the service reaches a company's BambooHR: an API key (Basic), or an OAuth access token (Bearer). */
export type BambooHrCredentials = { apiKey: string; accessToken?: undefined } | { accessToken: string; apiKey?: undefined };

export interface EmployeeSourceFactory {
  (input: { tenantId?: string; subdomain: string } & BambooHrCredentials): EmployeeSource;
}

// ---------------------------------------------------------------- Storage

export interface TenantStore {
  get(tenantId: string): Promise<Tenant | null>;
  /** Creates the tenant; throws TenantExistsError when the id is taken. */
  create(tenant: Tenant): Promise<void>;
  /**
   * Replaces the tenant's configuration (never its sync bookkeeping). With `expectedStatus`, only if
   * the status is still that one (throws TenantChangedError otherwise): a save never undoes a status
   * a worker set meanwhile. A save that makes a tenant that needed attention active (support's fix)
   * marks `recoveryPending`: its next run that reaches BambooHR answers the alert (`recovered`).
   */
  save(tenant: Tenant, options?: { expectedStatus?: Tenant['status'] }): Promise<void>;
  /** One page of tenants with the given status, by an index query (no scan of everything). */
  listByStatus(status: Tenant['status'], cursor?: string, limit?: number): Promise<{ tenants: Tenant[]; cursor?: string }>;
  list(cursor?: string, limit?: number): Promise<{ tenants: Tenant[]; cursor?: string }>;
  delete(tenantId: string): Promise<void>;
  /**
   * One page of the active tenants whose schedule slot is in [fromSlot, toSlot) (lib/sync/schedule.ts),
   * by an index query: the scheduler reads only the tenants that are due.
   */
  listDue(fromSlot: number, toSlot: number, cursor?: string, limit?: number): Promise<{ tenants: DueTenant[]; cursor?: string }>;
  /** Marks an active tenant stale (once: false if it already was, is not active, or succeeded since `notSyncedSince`). */
  markStale(tenantId: string, at: string, notSyncedSince: string): Promise<boolean>;
  /**
   * Gives every tenant stored without a slot its slot (and starts its staleness clock: `activeSince`,
   * and `lastSuccessAt` from a successful last run); returns how many.
   */
  assignMissingSlots(now: string): Promise<number>;
}

/** What the scheduler reads of a tenant that is due. */
export type DueTenant = Pick<Tenant, 'tenantId' | 'createdAt' | 'lastSuccessAt' | 'staleSince' | 'activeSince'> & { slotKey: number };

export interface SnapshotStore {
  /** The whole snapshot of a tenant, by employee id. */
  load(tenantId: string): Promise<Map<string, SnapshotEntry>>;
  /** The entries of these employees (strongly consistent); those without one are left out. */
  get(tenantId: string, employeeIds: readonly string[]): Promise<SnapshotEntry[]>;
  /** The bytes of these chunks of the snapshot summary (lib/sync/snapshot-summary.ts), in order; null for one not found. */
  readSummaryChunks(tenantId: string, chunks: ReadonlyArray<{ index: number; slot: 0 | 1 }>): Promise<(Uint8Array | null)[]>;
  /** Writes chunks of the snapshot summary (each to a slot the current head does not name). */
  writeSummaryChunks(tenantId: string, chunks: ReadonlyArray<{ index: number; slot: 0 | 1; bytes: Uint8Array }>): Promise<void>;
  /** Upserts these entries (idempotent: the same entry written twice is the same state). */
  put(tenantId: string, entries: readonly SnapshotEntry[]): Promise<void>;
  /** One page of the snapshot, by employee id, for the product's first load (strongly consistent). */
  page(tenantId: string, cursor?: string, limit?: number): Promise<{ entries: SnapshotEntry[]; cursor?: string }>;
  deleteAll(tenantId: string): Promise<void>;
}

/**
 * Where a chunk of a tenant's snapshot summary lives and what it holds: the head names each chunk by
 * its place (index of `of`, slot) and its checksum, and a chunk is never rewritten in place under the
 * same checksum, so the same key always means the same stubs.
 */
export interface SummaryChunkKey {
  tenantId: string;
  index: number;
  of: number;
  slot: 0 | 1;
  sum: string;
}

/**
 * Decoded chunks of snapshot summaries that a warm worker keeps between runs (in memory, bounded):
 * a run whose head names chunks already decoded reads only the others. What it returns is never
 * changed by anyone (frozen).
 */
export interface SummaryChunkCache {
  get(key: SummaryChunkKey): readonly SummaryStub[] | undefined;
  set(key: SummaryChunkKey, stubs: readonly SummaryStub[]): void;
}

/** A reserved, not yet committed range of feed seqs, left behind if a worker died mid-write. */
export interface PendingAppend {
  runId: string;
  firstSeq: number;
  lastSeq: number;
}

/** A feed record with the snapshot entry its run will write: what a roll-forward repair re-applies. */
export interface FeedAppend {
  record: ChangeRecord;
  /** Internal: never returned to the product. */
  snapshot: SnapshotEntry;
}

/**
 * A tenant's feed bookkeeping, read once per run: the pending append, the committed seq, and the head
 * of the snapshot summary, which lives on the same item so that a commit switches it atomically.
 */
export interface FeedState {
  pending: PendingAppend | null;
  committedSeq: number;
  /** The next seq a reservation would take (1 before any). */
  nextSeq: number;
  /** The snapshot summary's encoded head and its version (null before the first is saved). */
  summary: { head: Uint8Array; version: number } | null;
  /** Set before a run writes the snapshot and cleared when the summary is saved after it: while set, the summary is not to be trusted. */
  summaryStale: boolean;
}

export interface ChangeFeed {
  /** The append a previous run reserved but did not commit, if any. */
  pending(tenantId: string): Promise<PendingAppend | null>;
  /** Everything a run reads of the tenant's feed bookkeeping, in one read. */
  state(tenantId: string): Promise<FeedState>;
  /**
   * Reserves `count` seqs for `runId` and marks the summary stale; throws if another append is pending.
   * `expectedNextSeq` (from `state`) saves a read when nothing moved since.
   */
  reserve(tenantId: string, runId: string, count: number, expectedNextSeq?: number): Promise<PendingAppend>;
  /** Writes records at their seqs, each with its snapshot entry; writing the same record twice leaves one item. */
  write(appends: readonly FeedAppend[]): Promise<void>;
  /** The records (and their snapshot entries) written so far in a seq range, including uncommitted ones. */
  readRange(tenantId: string, firstSeq: number, lastSeq: number): Promise<FeedAppend[]>;
  /** The records (and their snapshot entries) at these seqs, committed or not; those not found are left out. */
  readSeqs(tenantId: string, seqs: readonly number[]): Promise<FeedAppend[]>;
  /** The last seq readers may see (0 before any commit). */
  committedSeq(tenantId: string): Promise<number>;
  /**
   * Makes the pending range visible to readers and clears it. With a summary head, saves it in the
   * same write and clears the stale mark, if the saved summary is still `expectedVersion`; otherwise
   * (or without one) the range is committed alone and the summary stays marked stale.
   */
  commit(tenantId: string, pending: PendingAppend, summary?: { head: Uint8Array; expectedVersion: number | null }): Promise<void>;
  /** Marks the summary stale before a snapshot write that reserves no seqs. */
  markSummaryStale(tenantId: string): Promise<void>;
  /** Saves a summary head and clears the stale mark, if the saved version is still `expectedVersion` (null: none) and nothing is pending; false otherwise. */
  saveSummary(tenantId: string, head: Uint8Array, expectedVersion: number | null): Promise<boolean>;
  /** Committed records after `after`, in seq order. */
  list(tenantId: string, after: number, limit: number): Promise<{ changes: ChangeRecord[]; nextAfter: number }>;
  deleteAll(tenantId: string): Promise<void>;
}

export interface RunStore {
  /** Records a new run; returns the existing record instead when this runId was seen before. */
  start(run: RunRecord): Promise<{ created: true } | { created: false; existing: RunRecord }>;
  finish(run: RunRecord): Promise<void>;
  get(tenantId: string, runId: string): Promise<RunRecord | null>;
  /** Newest first. */
  list(tenantId: string, limit: number): Promise<RunRecord[]>;
  deleteAll(tenantId: string): Promise<void>;
}

/** Tenant-status and last-run bookkeeping written by the worker. */
export interface TenantStatusWriter {
  /**
   * Records the last run (and, for a success, when it was) and, when given, moves the tenant to
   * `status` — but only from one of `from` (so that a run finishing late never undoes support
   * disabling the tenant meanwhile). True when the status moved.
   */
  recordRun(tenantId: string, summary: NonNullable<Tenant['lastRun']>, status?: StatusTransition): Promise<boolean>;
}

export interface StatusTransition {
  status: Tenant['status'];
  reason: string | null;
  /** The statuses the tenant may move from; otherwise only the run is recorded. */
  from: readonly Tenant['status'][];
  /** The probe bookkeeping written with the status (null clears it). */
  attention: Tenant['attention'];
  /**
   * Only while `recoveryPending` is set: the move ends an episode support closed by hand (`enable`, a
   * working key), once, however many runs finish at the same time. (Every status move clears it.)
   */
  whileRecoveryPending?: boolean;
}

/** Each tenant's activity: what happened to it, newest first, kept for a while (a TTL). */
export interface ActivityLog {
  record(event: ActivityEvent): Promise<void>;
  /** Newest first; `before` is an event id, to page back. */
  list(tenantId: string, limit: number, before?: string): Promise<ActivityEvent[]>;
  /** The alert-type events of every tenant since `since` (ISO), newest first. */
  alerts(since: string, limit: number): Promise<ActivityEvent[]>;
}

/** Where alerts go for people: an SNS topic in AWS (mail, chat), the terminal of the local stack. */
export interface AlertSink {
  publish(alert: Alert): Promise<void>;
}

/** The scheduler's own bookkeeping: up to when the schedule's slots have been enqueued. */
export interface ScheduleState {
  /** Where the scheduler got to (epoch ms) and the period it was scheduling with; null before the first run. */
  read(): Promise<{ coveredUntil: number; periodMs: number | null } | null>;
  /** Moves it from `from` to `to` (with this period); false when another invocation moved it meanwhile. */
  advance(from: number | null, to: number, periodMs: number): Promise<boolean>;
}

// ---------------------------------------------------------------- Secrets and queue

/** What BambooHR's token endpoint gave. `scopes` null when it did not say (the ones asked for). */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: string;
  scopes: string[] | null;
}

/** BambooHR's token endpoint, for the app (its client credentials are the adapter's). */
export interface OAuthClient {
  exchangeCode(input: { subdomain: string; code: string; redirectUri: string }): Promise<OAuthTokens>;
  /** Throws TokenRefusedError (lib/bamboohr/oauth-client.ts) when the refresh token is refused. */
  refresh(input: { subdomain: string; refreshToken: string }): Promise<OAuthTokens>;
}

/** A company's OAuth grant to the app: tokens and what they allow. */
export interface OAuthGrant {
  accessToken: string;
  /** Null when BambooHR gave none (no `offline_access`): the grant ends with the access token. */
  refreshToken: string | null;
  /** When the access token expires (ISO). */
  expiresAt: string;
  scopes: string[];
}

/** A tenant's secret: an API key or an OAuth grant (exactly one), and the webhook's private key. */
export interface TenantSecret {
  apiKey: string | null;
  oauth?: OAuthGrant | null;
  webhookPrivateKey: string | null;
}

/** A secret as stored, with the version it was read at (for a compare-and-set). */
export interface VersionedSecret {
  secret: TenantSecret;
  version: string;
  /**
   * A newer secret saved but not made current (a worker died between the two): the refreshed grant
   * of `version`, to make current rather than refresh again with a refresh token already spent.
   */
  pending: { secret: TenantSecret; version: string } | null;
}

export interface SecretStore {
  /** The tenant's secret, possibly cached; `fresh` bypasses any cache (e.g. after BambooHR refused a key). */
  get(tenantId: string, options?: { fresh?: boolean }): Promise<TenantSecret | null>;
  put(tenantId: string, secret: TenantSecret): Promise<void>;
  delete(tenantId: string): Promise<void>;
  /** The current secret and its version, uncached, with a pending newer one if a save did not finish. */
  getVersioned(tenantId: string): Promise<VersionedSecret | null>;
  /**
   * Saves `secret` as current only if `version` is still current (compare-and-set): first stored as
   * pending (naming `version` as what it replaces), then made current. False when another save came
   * first: read again.
   */
  replaceIfCurrent(tenantId: string, secret: TenantSecret, version: string): Promise<boolean>;
}

/** Secrets a store can list by when they last changed: the credentials kept for connect links, swept once their link expired. */
export interface AgedSecrets {
  /** The keys of the secrets last changed before `cutoff` (Secrets Manager: LastChangedDate, else CreatedDate). */
  listChangedBefore(cutoff: Date): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** A connect link support sent a customer: what it connects, and how far it got. Stored by the hash of its token. */
export interface Invite {
  tenantId: string;
  /** `register` a new tenant, or `reconnect` one that exists (a new key or grant for it). */
  mode: 'register' | 'reconnect';
  /** The exclusion field to register with (null: off); a reconnect keeps the tenant's. */
  exclusionField: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** While a connection with it is being made: until when (a claim that lapses if that Lambda dies). */
  connectingUntil?: string | null;
  /**
   * A credential BambooHR accepted whose access is not complete yet (a required field or the
   * exclusion box not visible): saved in the tenant's secret, checked again on "Check again".
   */
  pending: { subdomain: string; via: 'oauth' | 'api-key' } | null;
}

/** An OAuth `state`: which invite and company a consent belongs to, taken once. */
export interface OAuthState {
  inviteHash: string;
  subdomain: string;
  expiresAt: string;
}

export interface InviteStore {
  create(hash: string, invite: Invite): Promise<void>;
  get(hash: string): Promise<Invite | null>;
  setPending(hash: string, pending: Invite['pending']): Promise<void>;
  /**
   * Claims it for one connection until `until`: `claimed`; `used` when it was spent already (or is
   * gone); `busy` while another connection's claim has not lapsed (at `at`).
   */
  claim(hash: string, at: string, until: string): Promise<'claimed' | 'used' | 'busy'>;
  /** Marks it used (the connection it was claimed for is made); false when it was used already. */
  spend(hash: string, at: string): Promise<boolean>;
  /** Gives a claim up (the connection failed): only the claim that ends `until`. */
  release(hash: string, until: string): Promise<void>;
  putState(hash: string, state: OAuthState): Promise<void>;
  /** Takes a state once, if it belongs to `inviteHash` (else leaves it): the second take of the same state finds nothing. */
  takeState(hash: string, inviteHash: string): Promise<OAuthState | null>;
}

/** One-time markers that expire: a webhook signature already accepted, an invite already spent... */
export interface MarkerStore {
  /** Claims `key` until `expiresAt`; false when it is claimed already and has not expired. */
  claim(key: string, expiresAt: Date): Promise<boolean>;
  /** Gives a claim up (e.g. when what it guarded could not be done). */
  release(key: string): Promise<void>;
  /** Keeps a claim this caller holds until `expiresAt` (a short claim made long once its work is done). */
  renew(key: string, expiresAt: Date): Promise<void>;
}

export interface JobQueue {
  /** Sends the jobs (batched). Resolves once every job is accepted; throws if some never were. */
  enqueue(jobs: readonly SyncJob[]): Promise<{ sent: number; batches: number }>;
}

/** A delivered job the worker moves to the dead-letter queue itself (poison, or out of attempts). */
export interface DeliveredJob {
  messageId: string;
  body: string;
  /** The FIFO message group: the tenant. */
  groupId: string;
}

export interface JobDeadLetters {
  /** Puts the job in the dead-letter queue with the reason (idempotent per message id); the caller then acknowledges it. */
  deadLetter(job: DeliveredJob, reason: string): Promise<void>;
}

/** The worker's side of the queue. */
export interface JobRetries {
  /**
   * Makes a received job that failed visible again after `delaySeconds` (instead of the queue's whole
   * visibility timeout), so that a failed job neither hammers BambooHR nor blocks its tenant for long.
   */
  retryLater(receiptHandle: string, delaySeconds: number): Promise<void>;
}

/** What the service knows of its own deployment. */
export interface Deployment {
  /**
   * The public base URL of this deployment's HTTP API (no trailing slash): where BambooHR's webhooks
   * and customers' connect links point. Throws a ConfigError naming the fix when it is not known.
   */
  publicBaseUrl(): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  (): string;
}

/** A job the queue gave up on (after maxReceiveCount deliveries), as support sees it. */
export interface DeadLetter {
  messageId: string;
  /** The job, when the body is one; null for a poison body. */
  job: SyncJob | null;
  /** The body when it is not a job (capped), to show what was wrong. */
  rawBody: string | null;
  receiveCount: number;
  sentAt: string | null;
  tenantId: string | null;
  /** Why the worker put it there (absent when the queue's receive limit did). */
  reason: string | null;
}

export interface DeadLetterQueue {
  /** Up to `max` dead letters, without removing them. */
  list(max: number): Promise<DeadLetter[]>;
  /** Moves dead letters back to the jobs queue (all, or those with these message ids); returns how many. */
  redrive(messageIds?: readonly string[]): Promise<RedriveResult>;
  /**
   * About how many dead letters there are, without receiving any (a listing hides what it reads from
   * other listings while it pages): `waiting` visible, `inFlight` being read or redriven right now.
   */
  count(): Promise<{ waiting: number; inFlight: number }>;
}

/** What a redrive did: what it moved back (and whose), and what it left in the dead-letter queue and why. */
export interface RedriveResult {
  redriven: number;
  redrivenIds: string[];
  /** The jobs moved back, with their tenant. */
  redrivenJobs: Array<{ messageId: string; tenantId: string; jobId: string }>;
  /** Message ids whose body is not a sync job: a retry cannot fix them, so they stay in the DLQ. */
  poison: string[];
  /** Requested message ids that were not found in the DLQ. */
  notFound: string[];
}
