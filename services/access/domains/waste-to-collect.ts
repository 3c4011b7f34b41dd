import type { Principal } from "../../auth/principals.ts";
import type { EpochMs, FieldValue } from "../../domain/types.ts";
import type { TimeSeriesStore } from "../../storage/store.ts";
import { type AccessPolicy, audienceOf, type DeviceGrant } from "../policy.ts";
import { iso } from "../views.ts";
import { DAY_MS } from "./days.ts";
import { fitLine, mapBounded } from "./fit.ts";

export const WASTE_DOMAIN = "waste_container";
export const FILL_FIELD = "filling_level";
/** A fall of the fill level larger than this between two readings is an emptying. */
export const EMPTYING_DROP = 0.3;
/** Readings looked at: longer than the longest collection cadence (glass, 28 days). */
export const LOOKBACK_MS = 35 * DAY_MS;

/** The times a JavaScript Date holds (ECMA-262, "Time Values and Time Range"). */
const MAX_DATE_MS = 8.64e15;

export interface FillPoint {
  time: EpochMs;
  level: number;
}

export interface FillFit {
  /** Time of the first reading after the last emptying seen (null: none seen in the readings). */
  emptiedAt: EpochMs | null;
  /** Readings since then, those the fit is made of. */
  readings: number;
  /** Fill level gained per day (least squares over those readings); null under two readings. */
  ratePerDay: number | null;
  /** When the fitted line reaches 1.0; null when it does not rise. */
  predictedFullAt: EpochMs | null;
}

/**
 * The fill rate since the last emptying: readings in time order, an emptying wherever the level
 * falls by more than `drop` from one reading to the next; the line is fitted to the readings from
 * the last emptying on, and the container is predicted full where that line reaches 1.0.
 */
export function fitFill(points: readonly FillPoint[], drop = EMPTYING_DROP): FillFit {
  const sorted = [...points].sort((a, b) => a.time - b.time);
  let start = 0;
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i - 1] as FillPoint).level - (sorted[i] as FillPoint).level > drop) start = i;
  }
  const since = sorted.slice(start);
  const emptiedAt = start > 0 ? (since[0] as FillPoint).time : null;
  const fit = fitLine(since.map((p) => ({ x: p.time / DAY_MS, y: p.level })));
  if (!fit) return { emptiedAt, readings: since.length, ratePerDay: null, predictedFullAt: null };
  const full = fit.slope > 0 ? Math.round(((1 - fit.intercept) / fit.slope) * DAY_MS) : Number.NaN;
  // A rise too slow to matter can put the date past what a Date holds: no prediction then.
  const predictedFullAt = Number.isFinite(full) && Math.abs(full) <= MAX_DATE_MS ? full : null;
  return { emptiedAt, readings: since.length, ratePerDay: fit.slope, predictedFullAt };
}

/** Whether to collect: already at the threshold, or predicted full within the horizon. */
export function toCollect(
  level: number | null,
  predictedFullAt: EpochMs | null,
  q: { threshold: number; horizonMs: number; now: EpochMs },
): boolean {
  if (level !== null && level >= q.threshold) return true;
  return predictedFullAt !== null && predictedFullAt <= q.now + q.horizonMs;
}

export interface ContainerView {
  device: string;
  commune: string;
  stream: string | null;
  lat: number;
  lon: number;
  /** The latest fill level read within the lookback, 0..1; null when none. */
  fillingLevel: number | null;
  measuredAt: string | null;
  emptiedAt: string | null;
  fillRatePerDay: number | null;
  predictedFullAt: string | null;
  toCollect: boolean;
}

export interface ToCollectRequest {
  threshold: number;
  horizonDays: number;
  commune?: string;
  stream?: string;
  /** Every container, not only those to collect. */
  all: boolean;
}

export interface ToCollectAnswer {
  at: string;
  threshold: number;
  horizonDays: number;
  count: number;
  containers: ContainerView[];
}

export interface WasteToCollectDeps {
  policy: Pick<AccessPolicy, "listDevices" | "windows">;
  store: Pick<TimeSeriesStore, "series">;
  clock: { now(): EpochMs };
}

export interface WasteToCollect {
  list(principal: Principal | undefined, q: ToCollectRequest): Promise<ToCollectAnswer>;
}

/**
 * The collector's list: staff see every container; an operator, those it holds now, from its own
 * readings within its periods (the policy's windows). Sorted by predicted-full date, those with
 * none last, then by fill level (fullest first) and id.
 */
export function createWasteToCollect(deps: WasteToCollectDeps): WasteToCollect {
  return {
    async list(principal, q) {
      const now = deps.clock.now();
      const audience = audienceOf(principal);
      const grants = deps.policy
        .listDevices(principal, {
          domain: WASTE_DOMAIN,
          ...(q.commune !== undefined ? { commune: q.commune } : {}),
        })
        .filter((g) => audience.kind !== "operator" || g.holder === audience.operatorId)
        .filter((g) => q.stream === undefined || String(g.device.attributes.stream ?? "") === q.stream);
      const rules = { threshold: q.threshold, horizonMs: q.horizonDays * DAY_MS, now };
      const views = await mapBounded(grants, 16, async (g) =>
        containerView(g, await readings(deps, g, now), rules),
      );
      const containers = views.filter((v) => q.all || v.toCollect).sort(byPrediction);
      return {
        at: iso(now),
        threshold: q.threshold,
        horizonDays: q.horizonDays,
        count: containers.length,
        containers,
      };
    },
  };
}

async function readings(deps: WasteToCollectDeps, g: DeviceGrant, now: EpochMs): Promise<FillPoint[]> {
  const windows = deps.policy.windows(g, { from: now - LOOKBACK_MS, to: now + 1 });
  const parts = await Promise.all(
    windows.map((w) =>
      deps.store.series({
        deviceId: g.device.id,
        from: w.from,
        to: w.to,
        fields: [FILL_FIELD],
        ...(g.held ? { operatorId: g.held.operatorId } : {}),
      }),
    ),
  );
  return parts
    .flat()
    .flatMap((b) => (b.field === FILL_FIELD && isNumber(b.last) ? [{ time: b.time, level: b.last }] : []));
}

function isNumber(v: FieldValue): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function containerView(
  g: DeviceGrant,
  points: readonly FillPoint[],
  rules: { threshold: number; horizonMs: number; now: EpochMs },
): ContainerView {
  const latest = points.reduce<FillPoint | undefined>((a, p) => (!a || p.time >= a.time ? p : a), undefined);
  const fit = fitFill(points);
  const level = latest?.level ?? null;
  const stream = g.device.attributes.stream;
  return {
    device: g.device.id,
    commune: g.device.commune,
    stream: stream === undefined || stream === "" ? null : String(stream),
    lat: g.device.lat,
    lon: g.device.lon,
    fillingLevel: level,
    measuredAt: latest ? iso(latest.time) : null,
    emptiedAt: fit.emptiedAt === null ? null : iso(fit.emptiedAt),
    fillRatePerDay: fit.ratePerDay,
    predictedFullAt: fit.predictedFullAt === null ? null : iso(fit.predictedFullAt),
    toCollect: toCollect(level, fit.predictedFullAt, rules),
  };
}

function byPrediction(a: ContainerView, b: ContainerView): number {
  if (a.predictedFullAt !== b.predictedFullAt) {
    if (a.predictedFullAt === null) return 1;
    if (b.predictedFullAt === null) return -1;
    return a.predictedFullAt < b.predictedFullAt ? -1 : 1;
  }
  const levels = (b.fillingLevel ?? -1) - (a.fillingLevel ?? -1);
  return levels !== 0 ? levels : a.device < b.device ? -1 : a.device > b.device ? 1 : 0;
}
