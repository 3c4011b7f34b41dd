import type { EpochMs, Violation } from "../domain/types.ts";

/**
 * The replay trace of the quarantine workflow: a quarantined message replayed through the pipeline
 * (after a contract correction or a fixed codec) leaves the quarantine's open view with a trace of
 * who replayed it, when, in which role, against which contract version and with what outcome. The
 * entry itself stays in the quarantine store; only retention deletes it (and its trace with it).
 *
 * One trace per entry, ever: `record` refuses a second trace of an entry (ERR_REPLAY_ALREADY_REPLAYED),
 * so that an entry is never replayed twice, whichever adapter keeps the log.
 */
export type ReplayOutcome = "accepted" | "quarantined-again";

export interface ReplayTrace {
  /** Set by the log: increases with each trace recorded (paging). */
  id?: number;
  /** The quarantine entry replayed. */
  quarantineId: number;
  replayedAt: EpochMs;
  /** The principal's id ("admin", an operator's id). */
  replayedBy: string;
  role: string;
  outcome: ReplayOutcome;
  /** The new reasons when quarantined again; the violations of the accepted reading otherwise. */
  reasons: Violation[];
  /** "contractId@version" the replay was checked against; absent when none applied (unknown device...). */
  contract?: string;
  /** The entries the replay put in quarantine again (one per refused reading of the message). */
  newQuarantineIds: number[];
  /**
   * The entry as it was in quarantine: what the quarantine's views filter on (operator, device,
   * code, reception time) without reading the quarantine store, a database of its own.
   */
  entry: ReplayedEntry;
}

export interface ReplayedEntry {
  operatorId: string;
  deviceId?: string;
  receivedAt: EpochMs;
  /** The codes of the entry's reasons. */
  codes: string[];
}

/** Traces, most recent first; `from`/`to` on the replay's time, `beforeId` on the trace's id. */
export interface ReplayQuery {
  operatorId?: string;
  from?: EpochMs;
  to?: EpochMs;
  limit: number;
  beforeId?: number;
}

/** Replayed entries, with the quarantine's own filter: `from`/`to` on the entry's reception time. */
export interface ReplayedFilter {
  operatorId?: string;
  deviceId?: string;
  code?: string;
  from?: EpochMs;
  to?: EpochMs;
}

export interface ReplayLog {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Keeps the traces, all or none: ERR_REPLAY_ALREADY_REPLAYED if one of the entries has a trace. */
  record(traces: readonly ReplayTrace[]): Promise<void>;
  /** The traces of those of `ids` that were replayed, by quarantine id. */
  replayedIds(ids: readonly number[]): Promise<Map<number, ReplayTrace>>;
  list(query: ReplayQuery): Promise<ReplayTrace[]>;
  /** How many replayed entries match (what the quarantine's open view leaves out of its total). */
  countReplayed(filter: ReplayedFilter): Promise<number>;
  /**
   * Deletes the traces of entries received before `time`: the quarantine's retention rule, applied
   * to the traces of the entries it deletes (see services/retention/keeper.ts). Answers how many went.
   */
  deleteBefore(time: EpochMs): Promise<number>;
}

/** Whether one entry was replayed (a convenience over `replayedIds`). */
export async function isReplayed(log: Pick<ReplayLog, "replayedIds">, id: number): Promise<boolean> {
  return (await log.replayedIds([id])).has(id);
}

/** The same filter test in every adapter that filters in memory. */
export function matchesReplayed(trace: ReplayTrace, f: ReplayedFilter): boolean {
  const e = trace.entry;
  return (
    (f.operatorId === undefined || e.operatorId === f.operatorId) &&
    (f.deviceId === undefined || e.deviceId === f.deviceId) &&
    (f.code === undefined || e.codes.includes(f.code)) &&
    (f.from === undefined || e.receivedAt >= f.from) &&
    (f.to === undefined || e.receivedAt < f.to)
  );
}
