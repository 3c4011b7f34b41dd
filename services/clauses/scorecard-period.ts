import type { EpochMs } from "../domain/types.ts";

/** A scorecard's period: a UTC day, month or year, named as written ("2026-11-03", "2026-11", "2026"). */
export interface ScorecardPeriod {
  kind: "day" | "month" | "year";
  label: string;
  from: EpochMs;
  /** Exclusive. */
  to: EpochMs;
}

const DAY_MS = 86_400_000;

/** Reads "YYYY", "YYYY-MM" or "YYYY-MM-DD"; undefined when it is none of them or not a real date. */
export function parsePeriod(text: string): ScorecardPeriod | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) return yearPeriod(year);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) return monthPeriod(year, month);
  const day = Number(m[3]);
  const from = Date.UTC(year, month - 1, day);
  if (new Date(from).getUTCDate() !== day) return undefined;
  return dayPeriod(from);
}

export function dayPeriod(time: EpochMs): ScorecardPeriod {
  const from = Math.floor(time / DAY_MS) * DAY_MS;
  return { kind: "day", label: new Date(from).toISOString().slice(0, 10), from, to: from + DAY_MS };
}

export function monthPeriod(year: number, month: number): ScorecardPeriod {
  const from = Date.UTC(year, month - 1, 1);
  return {
    kind: "month",
    label: new Date(from).toISOString().slice(0, 7),
    from,
    to: Date.UTC(year, month, 1),
  };
}

export function yearPeriod(year: number): ScorecardPeriod {
  return { kind: "year", label: String(year), from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) };
}

/** The period of the same kind just before. */
export function previousPeriod(p: ScorecardPeriod): ScorecardPeriod {
  const d = new Date(p.from);
  if (p.kind === "day") return dayPeriod(p.from - DAY_MS);
  if (p.kind === "month") return monthPeriod(d.getUTCFullYear(), d.getUTCMonth());
  return yearPeriod(d.getUTCFullYear() - 1);
}

/** The period of this kind holding the instant. */
export function periodAt(kind: ScorecardPeriod["kind"], time: EpochMs): ScorecardPeriod {
  const d = new Date(time);
  if (kind === "day") return dayPeriod(time);
  if (kind === "month") return monthPeriod(d.getUTCFullYear(), d.getUTCMonth() + 1);
  return yearPeriod(d.getUTCFullYear());
}
