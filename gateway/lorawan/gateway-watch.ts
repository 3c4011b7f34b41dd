import type { EpochMs } from "../../services/domain/types.ts";

/**
 * Which of the collectivity's own gateways (Semtech UDP) have gone dark, and which came back.
 * A packet forwarder sends a keepalive (PULL_DATA) every few seconds and a status (`stat`) every
 * `stat_interval`, besides the frames it hears, so a gateway from which nothing at all has come
 * for `silentAfterMs` has lost its power or its backhaul. Pure bookkeeping over what the
 * listener already keeps (`lastHeard`, each device's latest receptions): the caller turns the
 * changes into alerts.
 *
 * The devices listed behind a dark gateway are those whose latest frame it heard and no other
 * gateway still working did: a device also heard elsewhere keeps reporting, it is not behind the
 * outage. A gateway never heard since the start counts as heard at the start, so a restart does
 * not report every gateway at once.
 */

export interface GatewayWatchConfig {
  /** Time without any datagram after which a gateway is down (ms). */
  silentAfterMs: number;
}

export interface GatewayChange {
  eui: string;
  name: string;
  state: "down" | "up";
  at: EpochMs;
  /** Its latest datagram since the start, if any. */
  lastSeen?: EpochMs;
  /** Inventory ids of the devices behind it (down only). */
  devices: string[];
}

/** What the Semtech UDP listener knows, as the watch reads it. */
export interface GatewayHearing {
  gateways: readonly { eui: string; name: string }[];
  /** EUI (lower-case) → latest datagram of any kind. */
  lastHeard: ReadonlyMap<string, EpochMs>;
  /** Device id → the gateways that received its latest frame. */
  lastUplinks: ReadonlyMap<string, { receptions: readonly { gatewayEui: string }[] }>;
}

export class GatewayWatch {
  /** EUI → what was last reported; absent: nothing yet (neither down nor known up). */
  private readonly reported = new Map<string, "down" | "up">();

  constructor(
    private readonly config: GatewayWatchConfig,
    private readonly startedAt: EpochMs,
  ) {}

  /** The gateways whose state changed since the last check (an "up" for each first heard). */
  check(now: EpochMs, hearing: GatewayHearing): GatewayChange[] {
    const dark = new Set(
      hearing.gateways
        .map((g) => g.eui.toLowerCase())
        .filter((eui) => now - (hearing.lastHeard.get(eui) ?? this.startedAt) > this.config.silentAfterMs),
    );
    const changes: GatewayChange[] = [];
    for (const g of hearing.gateways) {
      const eui = g.eui.toLowerCase();
      const lastSeen = hearing.lastHeard.get(eui);
      const state = dark.has(eui) ? "down" : lastSeen !== undefined ? "up" : undefined;
      if (state === undefined || this.reported.get(eui) === state) continue;
      this.reported.set(eui, state);
      const devices = state === "down" ? devicesBehind(eui, dark, hearing.lastUplinks) : [];
      changes.push({
        eui,
        name: g.name,
        state,
        at: now,
        ...(lastSeen !== undefined ? { lastSeen } : {}),
        devices,
      });
    }
    return changes;
  }
}

/** Devices whose latest frame the gateway heard and no gateway outside `dark` did. */
function devicesBehind(
  eui: string,
  dark: ReadonlySet<string>,
  lastUplinks: GatewayHearing["lastUplinks"],
): string[] {
  const out: string[] = [];
  for (const [deviceId, up] of lastUplinks) {
    const heardBy = up.receptions.map((r) => r.gatewayEui.toLowerCase());
    if (heardBy.includes(eui) && heardBy.every((g) => dark.has(g))) out.push(deviceId);
  }
  return out.sort();
}
