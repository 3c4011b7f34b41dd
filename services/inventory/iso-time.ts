import type { EpochMs } from "../domain/types.ts";

/**
 * ISO 8601 dates and times as inventories write them: a calendar date (`2024-01-01`, midnight
 * UTC) or a date and time with its offset (`2024-01-01T06:30:00Z`, `2024-01-01T07:30:00+01:00`).
 * A time without an offset is refused rather than guessed: in France it would be an hour or two
 * away from UTC depending on the season. `Date.parse` is not used because it accepts
 * impossible dates (`2024-02-30` becomes 1 March) and reads offset-less times as local time.
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}))?$/;

export function parseIsoTime(text: string): EpochMs | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (m === null) return undefined;
  const part = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return utc - offsetMs(m[8]);
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** The inverse, for messages and files: a date alone when the time is midnight UTC. */
export function formatIsoTime(time: EpochMs): string {
  const iso = new Date(time).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}
