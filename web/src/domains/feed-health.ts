import type { DeviceList } from "./types.ts";

/** An operator's feed as its own devices show it: how many it holds, how many were heard lately. */

const DAY_MS = 86_400_000;

export interface FeedHealth {
  /** Devices it holds now. */
  devices: number;
  /** Of those, read within the last 24 hours. */
  heard: number;
  lastMessageAt: string | null;
  perDomain: Map<string, number>;
}

/** Its feed's health from its devices' current states (pure). */
export function feedHealth(list: DeviceList, now: number): FeedHealth {
  const held = list.devices.filter((d) => d.operator !== null);
  let heard = 0;
  let last: number | null = null;
  const perDomain = new Map<string, number>();
  for (const device of held) {
    perDomain.set(device.domain, (perDomain.get(device.domain) ?? 0) + 1);
    const time = device.state === null ? Number.NaN : Date.parse(device.state.time);
    if (Number.isNaN(time)) continue;
    if (now - time <= DAY_MS) heard++;
    if (last === null || time > last) last = time;
  }
  return {
    devices: held.length,
    heard,
    lastMessageAt: last === null ? null : new Date(last).toISOString(),
    perDomain: new Map([...perDomain].sort(([a], [b]) => a.localeCompare(b))),
  };
}
