import { BadRequestError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";

/** Query-string readers shared by the routes. Every bad value is a 400 with ERR_BAD_REQUEST. */

export function parseTime(value: string | undefined, fallback: EpochMs, name: string): EpochMs {
  if (value === undefined || value === "") return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new BadRequestError(`${name} must be ISO 8601 or epoch milliseconds`);
  return ms;
}

export function parseRange(q: { from?: string; to?: string }, now: EpochMs, defaultSpanMs: number) {
  const to = parseTime(q.to, now, "to");
  const from = parseTime(q.from, to - defaultSpanMs, "from");
  if (from >= to) throw new BadRequestError("from must be before to");
  return { from, to };
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

/** Refuses a query that would return more buckets than a screen can use. */
export function checkBucketCount(
  from: EpochMs,
  to: EpochMs,
  resolutionMs: number | undefined,
  max: number,
): void {
  if (resolutionMs !== undefined && (to - from) / resolutionMs > max) {
    throw new BadRequestError(`more than ${max} buckets: choose a coarser resolution or a shorter range`);
  }
}

export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined || value === "") return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
