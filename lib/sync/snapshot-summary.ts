import * as crypto from 'node:crypto';
import { DEACTIVATION_REASONS, type DeactivationReason } from '../model/change.js';
import { compareIds, type Employee, type SourceEmployeeField } from '../model/employee.js';
import type { SnapshotEntry } from '../model/snapshot.js';

/**
 * The snapshot summary: per tenant, a compact and always-consistent description of what the product
 * was told, so that a run reads a few items instead of the whole snapshot and reads whole entries
 * only for the employees it must write (see lib/use-cases/plan-against-snapshot.ts).
 *
 * Per employee with a snapshot entry, a stub: a 128-bit content hash of the entry (SHA-256 over
 * its canonical form: every field of the employee as told, the state and reason, and BambooHR's own
 * manager id), the state and reason and BambooHR's manager id in clear (the org tree is derived
 * from them), and `orgDerived`: whether the manager and direct reports the product was told are
 * exactly those the summary's tree derives (false after a run that could not see "Reports To", or
 * for a row frozen because its exclusion checkbox was missing). A planned employee whose candidate
 * entry hashes to its stub's hash is unchanged; anything else is read and diffed in full.
 *
 * Stored as chunks (employees spread by a hash of their id), each about 200 KB, plus a head that
 * names each chunk's slot and checksum and carries a small delta of recent stubs (so that a run that
 * changes a few people rewrites no chunk). Everything here is pure: bytes in, bytes out.
 */
export interface SummaryStub {
  id: string;
  /** 32 hex characters: the first 128 bits of SHA-256 over the entry's canonical form. */
  hash: string;
  state: SnapshotEntry['state'];
  reason: DeactivationReason | null;
  sourceManagerId: string | null;
  /** For a synced employee: the manager and reports the product was told are the ones the tree derives. */
  orgDerived: boolean;
}

/** A snapshot entry in full, or only its stub. */
export type PriorEntry = SnapshotEntry | SummaryStub;

export const isStub = (prior: PriorEntry): prior is SummaryStub => (prior as SummaryStub).hash !== undefined && (prior as SnapshotEntry).employee === undefined;

/** The summary failed its own check: the run reads the whole snapshot instead and rebuilds it. */
export class SummaryCorruptError extends Error {
  constructor(message: string) {
    super(`The snapshot summary is unusable: ${message}`);
    this.name = 'SummaryCorruptError';
  }
}

// ----------------------------------------------------------------------------- content hash

const HASH_VERSION = 1;
/** Distinct from null in the canonical form: an entry missing a field is not one holding null. */
const UNDEFINED = '\u0000undefined';
const canonical = (value: unknown): unknown => (value === undefined ? UNDEFINED : value);

/**
 * SHA-256 in hex: one call per employee on every run, so the one-shot `crypto.hash` (Node 20.12+,
 * about twice as fast for short inputs) where the runtime has it. The same bytes either way.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The content hash of an entry, from its parts: the planner hashes the entry a pulled employee would
 * have without building it (`fields` may be the source row, which has the same field names).
 */
export const entryHash = (
  fields: Pick<Employee, 'id' | SourceEmployeeField>,
  managerId: string | null,
  directReportIds: readonly string[],
  state: SnapshotEntry['state'],
  reason: DeactivationReason | null,
  sourceManagerId: string | null,
): string => {
  // The fields in SOURCE_EMPLOYEE_FIELDS' order, written out (a loop over the names costs as much as
  // the hash itself, 10,000 times a run); the tests pin the result and that every field moves it.
  const parts = [
    HASH_VERSION,
    canonical(fields.id),
    canonical(fields.employeeNumber),
    canonical(fields.status),
    canonical(fields.firstName),
    canonical(fields.middleName),
    canonical(fields.lastName),
    canonical(fields.preferredName),
    canonical(fields.workEmail),
    canonical(fields.hireDate),
    canonical(fields.originalHireDate),
    canonical(fields.jobTitle),
    canonical(fields.department),
    canonical(fields.division),
    canonical(fields.location),
    canonical(managerId),
    canonical(directReportIds),
    canonical(state),
    canonical(reason),
    canonical(sourceManagerId),
  ];
  return sha256Hex(JSON.stringify(parts)).slice(0, 32);
};

export const hashOfEntry = (entry: SnapshotEntry): string =>
  entryHash(entry.employee, entry.employee.managerId, entry.employee.directReportIds, entry.state, entry.reason, entry.sourceManagerId);

export const stubOf = (entry: SnapshotEntry, orgDerived: boolean): SummaryStub => ({
  id: entry.employee.id,
  hash: hashOfEntry(entry),
  state: entry.state,
  reason: entry.reason,
  sourceManagerId: entry.sourceManagerId,
  orgDerived,
});

/** Whether a stub describes exactly this entry (its hash, and the facts it keeps in clear). */
export const stubMatches = (stub: SummaryStub, entry: SnapshotEntry): boolean =>
  stub.id === entry.employee.id &&
  stub.state === entry.state &&
  stub.reason === entry.reason &&
  stub.sourceManagerId === entry.sourceManagerId &&
  stub.hash === hashOfEntry(entry);

export const sameStub = (a: SummaryStub, b: SummaryStub): boolean =>
  a.id === b.id && a.hash === b.hash && a.state === b.state && a.reason === b.reason && a.sourceManagerId === b.sourceManagerId && a.orgDerived === b.orgDerived;

// ----------------------------------------------------------------------------- bytes

const STATE_REASON: ReadonlyArray<DeactivationReason | null> = [null, ...DEACTIVATION_REASONS];
const NUMERIC_ID = /^(0|[1-9][0-9]{0,14})$/;
const MAGIC_CHUNK = 0x53; // 'S'
const MAGIC_HEAD = 0x48; // 'H'
/** 2: text as UTF-16 code units (an id may hold a lone surrogate, which UTF-8 would not keep). */
const FORMAT = 2;

class ByteWriter {
  private buffer = Buffer.allocUnsafe(1024);
  length = 0;
  private ensure(n: number) {
    if (this.length + n <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
  byte(value: number) {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }
  varint(value: number) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Not a varint: ${value}`);
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }
  bytes(data: Uint8Array) {
    this.ensure(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }
  text(value: string) {
    const data = Buffer.from(value, 'utf16le');
    this.varint(value.length);
    this.bytes(data);
  }
  hex(value: string, bytes: number) {
    const data = Buffer.from(value, 'hex');
    if (data.length !== bytes) throw new RangeError(`Expected ${bytes} bytes of hex, got '${value}'.`);
    this.bytes(data);
  }
  done(): Uint8Array {
    return new Uint8Array(this.buffer.subarray(0, this.length));
  }
}

class ByteReader {
  offset = 0;
  constructor(private readonly data: Uint8Array) {}
  get remaining() {
    return this.data.length - this.offset;
  }
  byte(): number {
    if (this.offset >= this.data.length) throw new SummaryCorruptError('it ends early.');
    return this.data[this.offset++]!;
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i += 1) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
    throw new SummaryCorruptError('a number is too long.');
  }
  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw new SummaryCorruptError('it ends early.');
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  text(): string {
    return Buffer.from(this.bytes(2 * this.varint())).toString('utf16le');
  }
  hex(n: number): string {
    return Buffer.from(this.bytes(n)).toString('hex');
  }
}

const numericOf = (id: string): number | null => (NUMERIC_ID.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : null);

/** Numeric ids ascending by value, then the others by code unit: the order that makes deltas small. */
const stubOrder = (a: SummaryStub, b: SummaryStub): number => {
  const na = numericOf(a.id);
  const nb = numericOf(b.id);
  if (na !== null && nb !== null) return na - nb;
  if (na !== null) return -1;
  if (nb !== null) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/*
 * Stubs: their count; then for each a flags byte (bit 0 deactivated, bits 1-2 reason, bit 3
 * orgDerived, bit 4 id as a numeric delta from the previous numeric id else as text, bits 5-6
 * BambooHR's manager: none, number, text), the id and the manager id; then the 16-byte hashes of
 * all, one after the other (decoded as one hex string, which each stub's hash is a slice of). About
 * 20 bytes per employee with numeric ids.
 */
const writeStubs = (w: ByteWriter, stubs: readonly SummaryStub[]) => {
  const sorted = [...stubs].sort(stubOrder);
  w.varint(sorted.length);
  let previous = 0;
  for (const stub of sorted) {
    const reason = STATE_REASON.indexOf(stub.reason);
    if (reason < 0) throw new RangeError(`Unknown deactivation reason '${String(stub.reason)}'.`);
    const numeric = numericOf(stub.id);
    const manager = stub.sourceManagerId === null ? 0 : numericOf(stub.sourceManagerId) !== null ? 1 : 2;
    w.byte((stub.state === 'deactivated' ? 1 : 0) | (reason << 1) | (stub.orgDerived ? 8 : 0) | (numeric !== null ? 16 : 0) | (manager << 5));
    if (numeric !== null) {
      w.varint(numeric - previous);
      previous = numeric;
    } else w.text(stub.id);
    if (manager === 1) w.varint(numericOf(stub.sourceManagerId!)!);
    else if (manager === 2) w.text(stub.sourceManagerId!);
  }
  for (const stub of sorted) w.hex(stub.hash, 16);
};

const readStubs = (r: ByteReader): SummaryStub[] => {
  const count = r.varint();
  if (count > r.remaining) throw new SummaryCorruptError('it claims more employees than it holds.');
  const stubs: SummaryStub[] = new Array(count);
  let previous = 0;
  for (let i = 0; i < count; i += 1) {
    const flags = r.byte();
    const reason = STATE_REASON[(flags >> 1) & 3] ?? null;
    let id: string;
    if (flags & 16) {
      previous += r.varint();
      id = String(previous);
    } else id = r.text();
    const managerKind = (flags >> 5) & 3;
    const sourceManagerId = managerKind === 0 ? null : managerKind === 1 ? String(r.varint()) : managerKind === 2 ? r.text() : null;
    if (managerKind === 3 || flags & 0x80) throw new SummaryCorruptError('an employee has unknown flags.');
    stubs[i] = { id, hash: '', state: flags & 1 ? 'deactivated' : 'synced', reason, sourceManagerId, orgDerived: (flags & 8) !== 0 };
  }
  const hashes = r.hex(16 * count);
  for (let i = 0; i < count; i += 1) stubs[i]!.hash = hashes.slice(32 * i, 32 * i + 32);
  return stubs;
};

const checksum = (data: Uint8Array): string => crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);

/** A chunk's bytes. */
export const encodeChunk = (stubs: readonly SummaryStub[]): Uint8Array => {
  const w = new ByteWriter();
  w.byte(MAGIC_CHUNK);
  w.byte(FORMAT);
  writeStubs(w, stubs);
  return w.done();
};

export const decodeChunk = (data: Uint8Array): SummaryStub[] => {
  const r = new ByteReader(data);
  if (r.byte() !== MAGIC_CHUNK || r.byte() !== FORMAT) throw new SummaryCorruptError('a chunk is not in a known format.');
  const stubs = readStubs(r);
  if (r.remaining !== 0) throw new SummaryCorruptError('a chunk has trailing bytes.');
  return stubs;
};

/** The checksum the head keeps of a chunk (64 bits of SHA-256: a check against a partial or stray write). */
export const chunkChecksum = checksum;

export interface SummaryHead {
  /**
   * The feed's committed seq when this summary was saved: a writer that committed changes without
   * saving a summary (a worker of an older version) makes them differ, and the summary is not trusted.
   */
  committedSeq: number;
  /** Employees described (chunks and delta together). */
  employees: number;
  /** Chunk `i` lives in `slot` (0 or 1) and has this checksum. */
  chunks: ReadonlyArray<{ slot: 0 | 1; sum: string }>;
  /** Stubs newer than the chunks' (they win). */
  delta: readonly SummaryStub[];
}

export const encodeHead = (head: SummaryHead): Uint8Array => {
  const w = new ByteWriter();
  w.byte(MAGIC_HEAD);
  w.byte(FORMAT);
  w.varint(head.committedSeq);
  w.varint(head.employees);
  w.varint(head.chunks.length);
  for (const chunk of head.chunks) {
    w.byte(chunk.slot);
    w.hex(chunk.sum, 8);
  }
  writeStubs(w, head.delta);
  const body = w.done();
  const out = new ByteWriter();
  out.bytes(body);
  out.hex(checksum(body), 8);
  return out.done();
};

export const decodeHead = (data: Uint8Array): SummaryHead => {
  if (data.length < 10) throw new SummaryCorruptError('its head is too short.');
  const body = data.subarray(0, data.length - 8);
  if (Buffer.from(data.subarray(data.length - 8)).toString('hex') !== checksum(body)) throw new SummaryCorruptError('its head fails its checksum.');
  const r = new ByteReader(body);
  if (r.byte() !== MAGIC_HEAD || r.byte() !== FORMAT) throw new SummaryCorruptError('its head is not in a known format.');
  const committedSeq = r.varint();
  const employees = r.varint();
  const count = r.varint();
  if (count > r.remaining) throw new SummaryCorruptError('its head claims more chunks than it holds.');
  const chunks: Array<{ slot: 0 | 1; sum: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const slot = r.byte();
    if (slot > 1) throw new SummaryCorruptError('its head names an unknown slot.');
    chunks.push({ slot: slot as 0 | 1, sum: r.hex(8) });
  }
  const delta = readStubs(r);
  if (r.remaining !== 0) throw new SummaryCorruptError('its head has trailing bytes.');
  return { committedSeq, employees, chunks, delta };
};

// ----------------------------------------------------------------------------- chunks

/** Which chunk of `count` an employee's stub lives in: FNV-1a of the id, stable across runs. */
export const chunkOf = (id: string, count: number): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
};

export interface SummaryLimits {
  /** The size a chunk is built at. */
  chunkTargetBytes: number;
  /** A chunk that would grow past this makes the summary be rebuilt with more chunks (DynamoDB's item limit is 400 KB). */
  chunkMaxBytes: number;
  /** The delta in the head (kept on the feed's bookkeeping item) is folded into the chunks beyond this. */
  deltaMaxBytes: number;
}

export const SUMMARY_LIMITS: SummaryLimits = { chunkTargetBytes: 200 * 1024, chunkMaxBytes: 360 * 1024, deltaMaxBytes: 3 * 1024 };

/** A loaded summary: its head, the stubs of each chunk, and every stub (delta applied) by id. */
export interface LoadedSummary {
  head: SummaryHead;
  /** Never changed once decoded: a warm worker may keep them for its next runs (see SummaryChunkCache). */
  chunks: ReadonlyArray<readonly SummaryStub[]>;
  stubs: Map<string, SummaryStub>;
}

/** The stubs of chunk `index` of the head, from its bytes (null: not found), checked against the head's checksum. */
export const decodeHeadChunk = (head: SummaryHead, index: number, data: Uint8Array | null): SummaryStub[] => {
  if (!data) throw new SummaryCorruptError(`chunk ${index} is missing.`);
  if (checksum(data) !== head.chunks[index]!.sum) throw new SummaryCorruptError(`chunk ${index} does not match its checksum.`);
  return decodeChunk(data);
};

/** Checks and assembles a summary from its head and its chunks' stubs, decoded (in order). */
export const assembleDecoded = (head: SummaryHead, decoded: ReadonlyArray<readonly SummaryStub[]>): LoadedSummary => {
  if (head.chunks.length === 0) throw new SummaryCorruptError('it has no chunk.');
  if (decoded.length !== head.chunks.length) throw new SummaryCorruptError('a chunk is missing.');
  const stubs = new Map<string, SummaryStub>();
  decoded.forEach((chunk, index) => {
    for (const stub of chunk) {
      if (chunkOf(stub.id, head.chunks.length) !== index) throw new SummaryCorruptError(`employee ${stub.id} is in the wrong chunk.`);
      if (stubs.has(stub.id)) throw new SummaryCorruptError(`employee ${stub.id} is there twice.`);
      stubs.set(stub.id, stub);
    }
  });
  for (const stub of head.delta) stubs.set(stub.id, stub);
  if (stubs.size !== head.employees) throw new SummaryCorruptError(`it describes ${stubs.size} employees where its head says ${head.employees}.`);
  return { head, chunks: decoded, stubs };
};

/** Checks and assembles a summary from its head and its chunks' bytes (in order; null for one not found). */
export const assembleSummary = (head: SummaryHead, chunkBytes: ReadonlyArray<Uint8Array | null>): LoadedSummary => {
  if (head.chunks.length === 0) throw new SummaryCorruptError('it has no chunk.');
  if (chunkBytes.length !== head.chunks.length) throw new SummaryCorruptError('a chunk is missing.');
  return assembleDecoded(head, chunkBytes.map((data, index) => decodeHeadChunk(head, index, data)));
};

export interface SummaryWrite {
  head: SummaryHead;
  /** Chunks to write, each to the slot the current head does not use, before the head is switched. */
  chunks: Array<{ index: number; slot: 0 | 1; bytes: Uint8Array }>;
}

const otherSlot = (previous: SummaryHead | null, index: number): 0 | 1 => (previous?.chunks[index]?.slot === 0 ? 1 : 0);

/** A summary of these stubs from scratch: chunks about `chunkTargetBytes` each, written beside the current ones. */
export const buildSummary = (all: readonly SummaryStub[], previous: SummaryHead | null, limits: SummaryLimits = SUMMARY_LIMITS, committedSeq = 0): SummaryWrite => {
  let count = Math.max(1, Math.ceil((all.length * 24) / limits.chunkTargetBytes));
  for (;;) {
    const groups: SummaryStub[][] = Array.from({ length: count }, () => []);
    for (const stub of all) groups[chunkOf(stub.id, count)]!.push(stub);
    const encoded = groups.map(encodeChunk);
    if (encoded.every((bytes) => bytes.length <= limits.chunkMaxBytes) || count >= 10_000) {
      const chunks = encoded.map((bytes, index) => ({ index, slot: otherSlot(previous, index), bytes }));
      return { head: { committedSeq, employees: all.length, chunks: chunks.map((c) => ({ slot: c.slot, sum: checksum(c.bytes) })), delta: [] }, chunks };
    }
    count *= 2;
  }
};

const deltaBytes = (delta: readonly SummaryStub[]): number => {
  const w = new ByteWriter();
  writeStubs(w, delta);
  return w.length;
};

/**
 * The summary after a run that changed these stubs: the delta grows while it is small; beyond
 * `deltaMaxBytes` it is folded into the chunks it touches (only those are rewritten), and a chunk
 * that would outgrow `chunkMaxBytes` makes the whole summary be rebuilt with more chunks.
 */
export const updateSummary = (
  current: LoadedSummary,
  changed: readonly SummaryStub[],
  limits: SummaryLimits = SUMMARY_LIMITS,
  committedSeq = current.head.committedSeq,
): SummaryWrite | null => {
  const delta = new Map(current.head.delta.map((s) => [s.id, s]));
  let any = false;
  for (const stub of changed) {
    const known = current.stubs.get(stub.id);
    if (known && sameStub(known, stub)) continue;
    delta.set(stub.id, stub);
    any = true;
  }
  if (!any && committedSeq === current.head.committedSeq) return null;
  const employees = new Set([...current.stubs.keys(), ...delta.keys()]).size;
  if (deltaBytes([...delta.values()]) <= limits.deltaMaxBytes) {
    return { head: { ...current.head, committedSeq, employees, delta: [...delta.values()] }, chunks: [] };
  }
  const count = current.head.chunks.length;
  const touched = new Map<number, Map<string, SummaryStub>>();
  for (const stub of delta.values()) {
    const index = chunkOf(stub.id, count);
    let chunk = touched.get(index);
    if (!chunk) {
      chunk = new Map(current.chunks[index]!.map((s) => [s.id, s]));
      touched.set(index, chunk);
    }
    chunk.set(stub.id, stub);
  }
  const chunks: SummaryWrite['chunks'] = [];
  for (const [index, stubs] of touched) {
    const bytes = encodeChunk([...stubs.values()]);
    if (bytes.length > limits.chunkMaxBytes) {
      const all = new Map(current.stubs);
      for (const stub of delta.values()) all.set(stub.id, stub);
      return buildSummary([...all.values()], current.head, limits, committedSeq);
    }
    chunks.push({ index, slot: otherSlot(current.head, index), bytes });
  }
  const headChunks = current.head.chunks.map((c) => ({ ...c }));
  for (const chunk of chunks) headChunks[chunk.index] = { slot: chunk.slot, sum: checksum(chunk.bytes) };
  return { head: { committedSeq, employees, chunks: headChunks, delta: [] }, chunks };
};
