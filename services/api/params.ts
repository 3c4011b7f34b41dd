import type { AggregateRequest } from "../access/aggregate-reads.ts";
import type { AlertListRequest } from "../access/alert-reads.ts";
import type { SeriesRequest } from "../access/device-reads.ts";
import type { QuarantineRequest, QuarantineState, ViolationRequest } from "../access/quarantine-reads.ts";
import { BadRequestError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * Query-string readers shared by the routes: they turn the strings a schema let through into
 * the typed requests of the access service. Every bad value is a 400 with ERR_BAD_REQUEST.
 */

const DAY = 86_400_000;

/**
 * The times a JavaScript Date holds, 100,000,000 days either side of the epoch (ECMA-262,
 * "Time Values and Time Range"). A time past them (`to=99999999999999999999`, nanoseconds sent
 * as milliseconds) cannot be written back as ISO 8601 in the answer, nor bound as a store
 * timestamp: it is a bad request, not a 500.
 */
export const MAX_TIME_MS = 8.64e15;

export function parseTime(value: string | undefined, fallback: EpochMs, name: string): EpochMs {
  if (value === undefined || value === "") return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new BadRequestError(`${name} must be ISO 8601 or epoch milliseconds`);
  return checkTimeRange(ms, name);
}

function checkTimeRange(ms: EpochMs, name: string): EpochMs {
  if (Math.abs(ms) > MAX_TIME_MS) {
    throw new BadRequestError(`${name} must lie within ${MAX_TIME_MS} ms of 1970-01-01T00:00:00Z`);
  }
  return ms;
}

export function parseRange(q: { from?: string; to?: string }, now: EpochMs, defaultSpanMs: number) {
  const to = parseTime(q.to, now, "to");
  // The default span may reach past the earliest time from a `to` near it.
  const from = checkTimeRange(parseTime(q.from, to - defaultSpanMs, "from"), "from");
  if (from >= to) throw new BadRequestError("from must be before to");
  return { from, to };
}

/** Bounds that may each be absent (quarantine, compliance): no default span. */
export function parseOpenRange(q: { from?: string; to?: string }): { from?: EpochMs; to?: EpochMs } {
  const from = q.from ? parseTime(q.from, 0, "from") : undefined;
  const to = q.to ? parseTime(q.to, 0, "to") : undefined;
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "raw" or a duration such as "15m", "1h", "1d"; undefined means raw. */
export function parseResolution(value: string | undefined): number | undefined {
  if (value === undefined || value === "" || value === "raw") return undefined;
  const m = /^(\d{1,6})([smhd])$/.exec(value);
  if (!m) throw new BadRequestError("resolution must be raw or a duration like 15m, 1h, 1d");
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (ms <= 0) throw new BadRequestError("resolution must be positive");
  return ms;
}

export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined || value === "") return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** An empty parameter (`?commune=`) is an absent one, as it always was. */
function given(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

/** The named optional text parameters that were given, without the empty ones. */
export function givenTexts<K extends string>(
  q: Partial<Record<K, string>>,
  names: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = given(q[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export function parseSeriesRequest(
  q: { from?: string; to?: string; resolution?: string; fields?: string },
  now: EpochMs,
): SeriesRequest {
  const resolutionMs = parseResolution(q.resolution);
  const fields = parseList(q.fields);
  return {
    ...parseRange(q, now, DAY),
    resolution: given(q.resolution) ?? "raw",
    ...(resolutionMs !== undefined ? { resolutionMs } : {}),
    ...(fields !== undefined ? { fields } : {}),
  };
}

export function parseAggregateRequest(
  q: {
    from?: string;
    to?: string;
    groupBy?: string;
    domain?: string;
    commune?: string;
    field?: string;
    resolution?: string;
  },
  now: EpochMs,
): AggregateRequest {
  const resolutionMs = parseResolution(q.resolution);
  const groupBy = parseList(q.groupBy);
  return {
    ...parseRange(q, now, DAY),
    ...givenTexts(q, ["domain", "commune", "field"]),
    ...(groupBy !== undefined ? { groupBy } : {}),
    ...(resolutionMs !== undefined ? { resolutionMs } : {}),
  };
}

export function parseQuarantineRequest(q: {
  operator?: string;
  device?: string;
  code?: string;
  from?: string;
  to?: string;
  limit?: number;
  before?: number;
  state?: QuarantineState;
}): QuarantineRequest {
  return {
    ...givenTexts(q, ["operator", "device", "code"]),
    ...parseOpenRange(q),
    limit: q.limit ?? 100,
    ...(q.before !== undefined ? { before: q.before } : {}),
    state: q.state ?? "open",
  };
}

export function parseViolationRequest(q: {
  operator?: string;
  device?: string;
  field?: string;
  code?: string;
  from?: string;
  to?: string;
  limit?: number;
  before?: number;
}): ViolationRequest {
  return {
    ...givenTexts(q, ["operator", "device", "field", "code"]),
    ...parseOpenRange(q),
    limit: q.limit ?? 100,
    ...(q.before !== undefined ? { before: q.before } : {}),
  };
}

export function parseAlertListRequest(q: {
  status?: AlertListRequest["status"];
  subject?: string;
  rule?: string;
  domain?: string;
  commune?: string;
  at?: string;
  limit?: number;
  before?: number;
}): AlertListRequest {
  return {
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...givenTexts(q, ["subject", "rule", "domain", "commune"]),
    ...(q.at !== undefined && q.at !== "" ? { at: parseTime(q.at, 0, "at") } : {}),
    limit: q.limit ?? 100,
    ...(q.before !== undefined ? { before: q.before } : {}),
  };
}
