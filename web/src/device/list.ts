import type { DeviceView } from "./types.ts";

/** Pure helpers of the device list: filtering in the page, paging, the feed's health. */

export interface ListFilters {
  domain: string;
  commune: string;
  operator: string;
  text: string;
}

export function matchesDevice(d: DeviceView, f: ListFilters): boolean {
  if (f.domain && d.domain !== f.domain) return false;
  if (f.commune && d.commune !== f.commune) return false;
  if (f.operator && d.operator !== f.operator) return false;
  return !f.text || d.id.toLowerCase().includes(f.text.trim().toLowerCase());
}

/** One page of the list (pages counted from 1), and how many there are. */
export function pageOf<T>(
  items: readonly T[],
  page: number,
  size: number,
): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return { items: items.slice((at - 1) * size, at * size), page: at, pages };
}

/** The distinct non-empty values of a property, sorted, for a filter's choices. */
export function choices(devices: readonly DeviceView[], pick: (d: DeviceView) => string | null): string[] {
  const values = new Set<string>();
  for (const d of devices) {
    const v = pick(d);
    if (v) values.add(v);
  }
  return [...values].sort();
}

/** Devices heard within `recentMs` before `now`, out of all, and the newest message's time. */
export interface FeedHealth {
  total: number;
  recent: number;
  last: string | null;
}

export function feedHealth(devices: readonly DeviceView[], now: number, recentMs: number): FeedHealth {
  let recent = 0;
  let last: number | null = null;
  for (const d of devices) {
    if (!d.state) continue;
    const t = Date.parse(d.state.time);
    if (now - t <= recentMs) recent++;
    if (last === null || t > last) last = t;
  }
  return { total: devices.length, recent, last: last === null ? null : new Date(last).toISOString() };
}
