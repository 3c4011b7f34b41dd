import { createHash } from "node:crypto";
import type { EpochMs } from "../domain/types.ts";

/**
 * The access log the data clauses ask for: every read of data that is not public, every export,
 * replay and import, who (and in which role), what, when and from where, appended to a chain in
 * which each entry carries the hash of the one before. Changing, removing or reordering an entry
 * breaks the chain from there on, and `verifyChain` names the first entry that no longer holds.
 * The chain proves the log was not altered after the fact; kept on the collectivity's own machine,
 * it is exported whole for an auditor, who checks it with the same rule (SHA-256, documented).
 */
export type AccessAction = "read" | "write" | "export" | "replay" | "import" | "destroy";

export interface AccessEntry {
  at: EpochMs;
  /** The principal's id ("technicien", an operator's id). */
  who: string;
  role: string;
  action: AccessAction;
  /** What was accessed: the method and the route with its query ("GET /api/v1/devices?commune=57038"). */
  what: string;
  /** The client's address as the platform saw it (behind a proxy: LANTERNE_TRUST_PROXY). */
  from: string;
  /** The answer's HTTP status, for requests. */
  status?: number;
  /** The personal fields the answer held (a read of personal data, GDPR art. 30 and 32). */
  personal?: string[];
}

export interface ChainedEntry extends AccessEntry {
  /** 1, 2, 3... with no gap. */
  seq: number;
  /** The previous entry's hash; GENESIS for the first. */
  prev: string;
  /** SHA-256 (hex) of `prev`, a newline, then the entry's canonical JSON (entryText). */
  hash: string;
}

export const GENESIS = "0".repeat(64);

/** The entry's fields in a fixed order, as the hash reads them. */
export function entryText(e: AccessEntry & { seq: number }): string {
  const fields: unknown[] = [e.seq, e.at, e.who, e.role, e.action, e.what, e.from, e.status ?? null];
  // Only when present, so that the entries written before the field existed keep their hashes.
  if (e.personal !== undefined) fields.push(e.personal);
  return JSON.stringify(fields);
}

export function chain(prev: { seq: number; hash: string }, entry: AccessEntry): ChainedEntry {
  const seq = prev.seq + 1;
  const hash = createHash("sha256")
    .update(`${prev.hash}\n${entryText({ ...entry, seq })}`)
    .digest("hex");
  return { ...entry, seq, prev: prev.hash, hash };
}

export type ChainVerdict =
  | { ok: true; entries: number; last: string }
  | { ok: false; seq: number; reason: string };

/** Checks the chain entry by entry; the first that does not hold is named with why. */
export function verifyChain(entries: Iterable<ChainedEntry>): ChainVerdict {
  let previous = { seq: 0, hash: GENESIS };
  let count = 0;
  for (const e of entries) {
    const expectedSeq = previous.seq + 1;
    if (e.seq !== expectedSeq) {
      return { ok: false, seq: expectedSeq, reason: `entry ${expectedSeq} is missing (found ${e.seq} next)` };
    }
    if (e.prev !== previous.hash)
      return { ok: false, seq: e.seq, reason: "its link to the previous entry is broken" };
    const { seq, prev, hash, ...entry } = e;
    if (chain(previous, entry).hash !== hash) {
      return { ok: false, seq, reason: "its content does not match its hash (altered)" };
    }
    previous = { seq, hash };
    count++;
  }
  return { ok: true, entries: count, last: previous.hash };
}

/** One line of the log file, read back; undefined for a line that is not an entry at all. */
export function parseEntry(line: string): ChainedEntry | undefined {
  try {
    const v = JSON.parse(line) as Partial<ChainedEntry>;
    const ok =
      typeof v.seq === "number" &&
      typeof v.at === "number" &&
      typeof v.who === "string" &&
      typeof v.role === "string" &&
      typeof v.action === "string" &&
      typeof v.what === "string" &&
      typeof v.from === "string" &&
      typeof v.prev === "string" &&
      typeof v.hash === "string";
    return ok ? (v as ChainedEntry) : undefined;
  } catch {
    return undefined;
  }
}
