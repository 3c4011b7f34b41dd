import { decodeJsonPayload } from "../../gateway/pipeline/decode.ts";
import { decodeProtobufPayload } from "../../gateway/pipeline/decode-protobuf.ts";
import type { Pipeline } from "../../gateway/pipeline/pipeline.ts";
import { lanterne } from "../../protos/generated/lanterne.js";
import type { AccessPolicy } from "../access/policy.ts";
import type { Principal } from "../auth/principals.ts";
import { checkReading, type DeviceDirectory } from "../contracts/check.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import {
  BadRequestError,
  DataCode,
  ForbiddenError,
  QuarantineEntryNotFoundError,
  REJECTING,
  ReplayCode,
  ReplayTooManyError,
} from "../domain/errors.ts";
import type { EpochMs, QuarantineEntry, RawUplink, Violation } from "../domain/types.ts";
import { Lane } from "../storage/duckdb/lane.ts";
import type { QuarantineQuery, QuarantineStore } from "../storage/store.ts";
import type { ReplayedFilter, ReplayLog, ReplayOutcome, ReplayTrace } from "./replay-log.ts";

/**
 * The quarantine replay of the data clauses: after a contract correction (a new version valid at
 * the reading's time) or a fixed codec, selected entries re-enter the pipeline as the uplink they
 * were, and leave the quarantine's open view with a trace (replay-log.ts). Nothing is deleted.
 *
 * - Who: administrators replay any entry, an operator only its own (AccessPolicy.operatorScope);
 *   an id the caller may not see is ERR_QUARANTINE_NOT_FOUND for the whole request, before
 *   anything is replayed. Technicians read the quarantine but do not replay (ERR_FORBIDDEN): a
 *   replay writes readings in an operator's name, which is the operator's or the collectivity's act.
 * - What goes back in: the raw payload with the entry's operator, `source: "replay:<source>"` and
 *   `receivedAt` = the replay's time (the delivery time of a replay is its replay). The reading's
 *   own time picks the contract version (checkReading), as for any delivery.
 * - Once: an entry with a trace is skipped (ERR_REPLAY_ALREADY_REPLAYED); replays run one at a
 *   time in this process, and the log refuses a second trace of an entry.
 * - A dry run checks with the same decoders and contract check the pipeline uses, writes nothing.
 */
export const REPLAY_MAX = 1000;

export interface ReplayFilter {
  /** Staff only; an operator always replays its own. */
  operator?: string;
  device?: string;
  code?: string;
  /** On the entry's reception time, like the quarantine listing. */
  from?: EpochMs;
  to?: EpochMs;
}

export interface ReplayRequest {
  ids?: readonly number[];
  filter?: ReplayFilter;
  dryRun?: boolean;
}

export type ReplayEntryOutcome = ReplayOutcome | "skipped" | "refused";

export interface ReplayEntryResult {
  id: number;
  outcome: ReplayEntryOutcome;
  /** New reasons (quarantined again), violations of the accepted reading, or why not replayed. */
  reasons: Violation[];
  /** "contractId@version" checked against, when one applied. */
  contract?: string;
  newQuarantineIds?: number[];
}

export interface ReplayReport {
  dryRun: boolean;
  replayedAt: EpochMs;
  entries: ReplayEntryResult[];
}

export interface ReplayDeps {
  quarantine: Pick<QuarantineStore, "listQuarantine" | "countQuarantine">;
  replays: ReplayLog;
  pipeline: Pick<Pipeline, "ingest" | "limits">;
  devices: DeviceDirectory;
  contracts: ContractRegistry;
  policy: Pick<AccessPolicy, "operatorScope">;
  now: () => EpochMs;
}

export interface TraceRequest {
  /** Staff only; an operator always reads its own. */
  operator?: string;
  /** On the replay's time. */
  from?: EpochMs;
  to?: EpochMs;
  limit: number;
  before?: number;
}

export interface ReplayService {
  replay(principal: Principal | undefined, request: ReplayRequest): Promise<ReplayReport>;
  /** The replay traces, most recent first: an operator reads those of its own entries. */
  traces(
    principal: Principal | undefined,
    q: TraceRequest,
  ): Promise<{ entries: ReplayTrace[]; next: number | null }>;
}

/** The sources whose payloads the pipeline decodes itself (JSON, the protobuf envelope). */
const CANONICAL_SOURCES = new Set(["mqtt", "http"]);
const REPLAY_PREFIX = "replay:";

export function createReplayService(deps: ReplayDeps): ReplayService {
  const lane = new Lane();
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    async replay(principal, request) {
      if (principal?.role !== "admin" && principal?.role !== "operator")
        throw new ForbiddenError("replaying quarantined messages is for administrators and operators");
      const scope = deps.policy.operatorScope(principal, request.filter?.operator);
      return lane.run(async () => {
        const entries = await selectEntries(deps, scope, request);
        // A distinct reception time per replay: its re-quarantined entries are found by it.
        const at = Math.max(deps.now(), lastAt + 1);
        if (!request.dryRun) lastAt = at;
        const done = await deps.replays.replayedIds(entries.map(idOf));
        const run = request.dryRun ? dryRun : replayForReal;
        return {
          dryRun: request.dryRun === true,
          replayedAt: at,
          entries: await run(deps, principal, entries, done, at),
        };
      });
    },
    async traces(principal, q) {
      const operatorId = deps.policy.operatorScope(principal, q.operator);
      const entries = await deps.replays.list({
        ...scoped(operatorId),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        limit: q.limit,
        ...(q.before !== undefined ? { beforeId: q.before } : {}),
      });
      const last = entries.at(-1)?.id;
      return { entries, next: entries.length === q.limit && last !== undefined ? last : null };
    },
  };
}

// ---------------------------------------------------------------- selection

async function selectEntries(
  deps: ReplayDeps,
  operatorId: string | undefined,
  request: ReplayRequest,
): Promise<QuarantineEntry[]> {
  if (request.ids !== undefined) return entriesById(deps, operatorId, request.ids);
  if (request.filter !== undefined)
    return openEntries(deps, { ...filterOf(request.filter), ...scoped(operatorId) });
  throw new BadRequestError("name the entries to replay: ids or filter");
}

async function entriesById(
  deps: ReplayDeps,
  operatorId: string | undefined,
  ids: readonly number[],
): Promise<QuarantineEntry[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new BadRequestError("ids is empty");
  if (unique.length > REPLAY_MAX) throw new ReplayTooManyError(`${unique.length} ids > ${REPLAY_MAX}`);
  const entries: QuarantineEntry[] = [];
  for (const id of unique) {
    // The port pages by id: the one entry just below id + 1 is the entry, if the caller sees it.
    const [entry] = await deps.quarantine.listQuarantine({
      ...scoped(operatorId),
      beforeId: id + 1,
      limit: 1,
    });
    if (entry?.id !== id) throw new QuarantineEntryNotFoundError(id);
    entries.push(entry);
  }
  return entries;
}

/** The open entries a filter matches (not replayed), all of them: ERR_REPLAY_TOO_MANY past the limit. */
async function openEntries(deps: ReplayDeps, filter: ReplayedFilter): Promise<QuarantineEntry[]> {
  const open = (await deps.quarantine.countQuarantine(filter)) - (await deps.replays.countReplayed(filter));
  if (open > REPLAY_MAX)
    throw new ReplayTooManyError(`the filter matches ${open} open entries > ${REPLAY_MAX}; narrow it`);
  const entries: QuarantineEntry[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page: QuarantineQuery = {
      ...filter,
      limit: REPLAY_MAX,
      ...(beforeId !== undefined ? { beforeId } : {}),
    };
    const batch = await deps.quarantine.listQuarantine(page);
    const done = await deps.replays.replayedIds(batch.map(idOf));
    entries.push(...batch.filter((e) => !done.has(idOf(e))));
    beforeId = batch.at(-1)?.id;
    if (batch.length < REPLAY_MAX || beforeId === undefined || entries.length >= REPLAY_MAX) break;
  }
  return entries.slice(0, REPLAY_MAX);
}

function filterOf(f: ReplayFilter): ReplayedFilter {
  return {
    ...(f.device !== undefined ? { deviceId: f.device } : {}),
    ...(f.code !== undefined ? { code: f.code } : {}),
    ...(f.from !== undefined ? { from: f.from } : {}),
    ...(f.to !== undefined ? { to: f.to } : {}),
  };
}

function scoped(operatorId: string | undefined): { operatorId?: string } {
  return operatorId === undefined ? {} : { operatorId };
}

function idOf(e: QuarantineEntry): number {
  return e.id ?? 0;
}

// ---------------------------------------------------------------- the uplink an entry was

type Replayable = { ok: true; uplink: RawUplink } | { ok: false; reason: Violation };

/**
 * The uplink the entry was, received again at `at`. What the quarantine keeps says how it came:
 * - a whole message refused as unreadable protobuf, or any text that is not JSON but is base64,
 *   is a binary payload kept as base64 (pipeline.ts wholeEntry): decoded back to its bytes;
 * - a reading of a protobuf envelope is kept as protobuf.js renders it (typed `Value`s, a
 *   `Timestamp`): encoded back into an envelope of one reading;
 * - anything else is the JSON text as received.
 */
export function replayableUplink(entry: QuarantineEntry, at: EpochMs): Replayable {
  if (entry.truncated)
    return refusal(
      ReplayCode.TRUNCATED,
      "only the start of this oversize payload was kept: nothing to replay",
    );
  const source = originalSource(entry.source);
  if (!CANONICAL_SOURCES.has(source))
    return refusal(
      ReplayCode.SOURCE,
      `${source} decodes its own payloads; only mqtt and http entries re-enter the pipeline`,
    );
  const base = {
    source: `${REPLAY_PREFIX}${source}`,
    operatorId: entry.operatorId,
    receivedAt: at,
    ...(entry.deviceId !== undefined ? { deviceId: entry.deviceId } : {}),
  };
  return { ok: true, uplink: { ...base, ...payloadOf(entry) } };
}

function refusal(code: ReplayCode, detail: string): Replayable {
  return { ok: false, reason: { code, path: "", detail } };
}

/** A replay of a replay names the transport the message first came through. */
function originalSource(source: string): string {
  let s = source;
  while (s.startsWith(REPLAY_PREFIX)) s = s.slice(REPLAY_PREFIX.length);
  return s;
}

function payloadOf(entry: QuarantineEntry): Pick<RawUplink, "payload" | "format"> {
  const whole = entry.reasons.some((r) => r.code === DataCode.PAYLOAD_PROTOBUF && r.path === "");
  if (whole) return { payload: Buffer.from(entry.raw, "base64"), format: "protobuf" };
  const parsed = parseJson(entry.raw);
  if (parsed.ok) {
    const envelope = protobufReading(parsed.value);
    return envelope ? { payload: envelope, format: "protobuf" } : { payload: entry.raw };
  }
  const textual = entry.reasons.some((r) => r.code === DataCode.PAYLOAD_JSON);
  if (!textual && isBase64(entry.raw))
    return { payload: Buffer.from(entry.raw, "base64"), format: "protobuf" };
  return { payload: entry.raw };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A protobuf reading as decode-protobuf.ts keeps it (`rawOf`): a Timestamp object, or data values
 * that are `Value` objects. A JSON reading has neither (its values are plain), so it is not one.
 */
function protobufReading(value: unknown): Buffer | undefined {
  if (!isObj(value)) return undefined;
  const typed = isObj(value.data) && Object.values(value.data).some(isObj);
  if (!typed && !isObj(value.time)) return undefined;
  try {
    const reading = lanterne.v1.Reading.fromObject(value);
    return Buffer.from(lanterne.v1.Readings.encode({ readings: [reading] }).finish());
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- dry run and replay

/** What the pipeline would decide, item by item: its own decoders and contract check, nothing written. */
interface Verdict {
  outcome: ReplayOutcome;
  reasons: Violation[];
  contract?: string;
}

function verdictOf(deps: ReplayDeps, uplink: RawUplink): Verdict {
  const context = {
    receivedAt: uplink.receivedAt,
    ...(uplink.deviceId !== undefined ? { deviceId: uplink.deviceId } : {}),
  };
  const decoded =
    uplink.format === "protobuf"
      ? decodeProtobufPayload(Buffer.from(uplink.payload), context, deps.pipeline.limits)
      : decodeJsonPayload(uplink.payload, context, deps.pipeline.limits);
  if (!decoded.ok) return { outcome: "quarantined-again", reasons: [decoded.problem] };
  const refused: Violation[] = [];
  const noted: Violation[] = [];
  let contract: string | undefined;
  for (const item of decoded.items) {
    if (!item.reading) {
      refused.push(...item.problems);
      continue;
    }
    const check = checkReading(item.reading, uplink.operatorId, deps.devices, deps.contracts);
    contract ??= check.contract?.key;
    const rejected = !check.accepted || item.problems.some((p) => REJECTING.has(p.code));
    if (rejected) refused.push(...item.problems, ...(check.accepted ? [] : check.reasons));
    else noted.push(...item.problems, ...check.violations);
  }
  const base = contract !== undefined ? { contract } : {};
  return refused.length > 0
    ? { outcome: "quarantined-again", reasons: refused, ...base }
    : { outcome: "accepted", reasons: noted, ...base };
}

type Plan =
  | { entry: QuarantineEntry; result: ReplayEntryResult }
  | { entry: QuarantineEntry; uplink: RawUplink; verdict: Verdict };

function planOf(deps: ReplayDeps, entry: QuarantineEntry, done: Map<number, ReplayTrace>, at: EpochMs): Plan {
  const id = idOf(entry);
  const before = done.get(id);
  if (before) {
    const when = new Date(before.replayedAt).toISOString();
    const reason = {
      code: ReplayCode.ALREADY_REPLAYED,
      path: "",
      detail: `replayed at ${when} by ${before.replayedBy}`,
    };
    return { entry, result: { id, outcome: "skipped", reasons: [reason] } };
  }
  const replayable = replayableUplink(entry, at);
  if (!replayable.ok) return { entry, result: { id, outcome: "refused", reasons: [replayable.reason] } };
  return { entry, uplink: replayable.uplink, verdict: verdictOf(deps, replayable.uplink) };
}

async function dryRun(
  deps: ReplayDeps,
  _principal: Principal | undefined,
  entries: QuarantineEntry[],
  done: Map<number, ReplayTrace>,
  at: EpochMs,
): Promise<ReplayEntryResult[]> {
  return entries.map((entry) => {
    const plan = planOf(deps, entry, done, at);
    return "result" in plan ? plan.result : { id: idOf(entry), ...plan.verdict };
  });
}

async function replayForReal(
  deps: ReplayDeps,
  principal: Principal | undefined,
  entries: QuarantineEntry[],
  done: Map<number, ReplayTrace>,
  at: EpochMs,
): Promise<ReplayEntryResult[]> {
  const plans = entries.map((entry) => planOf(deps, entry, done, at));
  const ingested = plans.map((plan) => ("uplink" in plan ? deps.pipeline.ingest(plan.uplink) : undefined));
  await Promise.all(ingested.map((o) => o?.durable));
  const newIds = await requarantinedIds(
    deps,
    at,
    ingested.reduce((n, o) => n + (o?.quarantined ?? 0), 0),
  );
  const results: ReplayEntryResult[] = [];
  const traces: ReplayTrace[] = [];
  plans.forEach((plan, i) => {
    const outcome = ingested[i];
    if ("result" in plan || !outcome) {
      if ("result" in plan) results.push(plan.result);
      return;
    }
    const quarantined = outcome.items.filter((item) => item.status === "quarantined");
    const mine = newIds.splice(0, outcome.quarantined);
    const result: ReplayEntryResult = {
      id: idOf(plan.entry),
      outcome: quarantined.length > 0 ? "quarantined-again" : "accepted",
      reasons: (quarantined.length > 0 ? quarantined : outcome.items).flatMap((item) => item.violations),
      ...(plan.verdict.contract !== undefined ? { contract: plan.verdict.contract } : {}),
      newQuarantineIds: mine,
    };
    results.push(result);
    traces.push(traceOf(plan.entry, result, principal, at));
  });
  await deps.replays.record(traces);
  return results;
}

/**
 * The entries this replay put back in quarantine, oldest first: received at the replay's own
 * time (distinct per replay) from a replay source. The writer keeps submission order, so their
 * ids follow the order the uplinks were ingested in.
 */
async function requarantinedIds(deps: ReplayDeps, at: EpochMs, count: number): Promise<number[]> {
  if (count === 0) return [];
  const found = await deps.quarantine.listQuarantine({ from: at, to: at + 1, limit: count + REPLAY_MAX });
  return found
    .filter((e) => e.source.startsWith(REPLAY_PREFIX))
    .map(idOf)
    .sort((a, b) => a - b);
}

function traceOf(
  entry: QuarantineEntry,
  result: ReplayEntryResult,
  principal: Principal | undefined,
  at: EpochMs,
): ReplayTrace {
  return {
    quarantineId: result.id,
    replayedAt: at,
    replayedBy: principal?.id ?? "",
    role: principal?.role ?? "",
    outcome: result.outcome === "accepted" ? "accepted" : "quarantined-again",
    reasons: result.reasons,
    ...(result.contract !== undefined ? { contract: result.contract } : {}),
    newQuarantineIds: result.newQuarantineIds ?? [],
    entry: {
      operatorId: entry.operatorId,
      ...(entry.deviceId !== undefined ? { deviceId: entry.deviceId } : {}),
      receivedAt: entry.receivedAt,
      codes: [...new Set(entry.reasons.map((r) => r.code))],
    },
  };
}
