import type { EpochMs } from "../domain/types.ts";
import type { Severity } from "./types.ts";

/**
 * Infrastructure signals: a Sparkplug edge node that sent its NDEATH, a LoRaWAN gateway gone
 * dark. Unlike a cabinet's power cut, which correlation infers from many devices falling silent
 * together (correlation.ts), these are known directly, from the node's own death certificate or
 * the gateway's missing keepalives. One alert stands for the node or gateway, with the devices
 * behind it as its children; while it is active their own silences are not raised one by one, and
 * when it clears they clear with it.
 *
 * They are rules of the platform, not of a data contract: their ids start with "platform/" and
 * the public register lists them apart (register.ts).
 */

export const EDGE_NODE_OFFLINE = "platform/edge-node-offline";
export const GATEWAY_OFFLINE = "platform/gateway-offline";
export const INFRASTRUCTURE_RULES: readonly string[] = [EDGE_NODE_OFFLINE, GATEWAY_OFFLINE];

/** The alert kind of an infrastructure signal (types.ts, AlertInput.kind). */
export const INFRASTRUCTURE_KIND = "infrastructure";
export const INFRASTRUCTURE_SEVERITY: Severity = "major";
/** The domain of a signal with no device behind it, or devices of several domains. */
export const INFRASTRUCTURE_DOMAIN = "infrastructure";

export interface InfrastructureSignal {
  /** "edge-node:<group>/<edge node>" or "gateway:<eui>". */
  subject: string;
  ruleId: string;
  state: "down" | "up";
  at: EpochMs;
  /** In French, as every alert's detail. */
  detail: string;
  /** Absent: the devices' domain when they share one, else "infrastructure". */
  domain?: string;
  operatorId?: string;
  /** Inventory ids of the devices behind the node or gateway (ignored for "up"). */
  children: readonly string[];
}

export function edgeNodeSubject(group: string, edgeNode: string): string {
  return `edge-node:${group}/${edgeNode}`;
}

export function gatewaySubject(eui: string): string {
  return `gateway:${eui.toLowerCase()}`;
}

/**
 * Which devices each active infrastructure alert stands for: subject → children, and the
 * reverse, device → subjects. Rebuilt at start from the alert store's active alerts, so it holds
 * what the store says, never more. Memory: one set entry per (alert, child), twice.
 */
export class Coverage {
  private readonly bySubject = new Map<string, { ruleId: string; children: Set<string> }>();
  private readonly byDevice = new Map<string, Set<string>>();

  /** Records the alert's children (adding to those already known). */
  cover(subject: string, ruleId: string, children: Iterable<string>): void {
    let entry = this.bySubject.get(subject);
    if (!entry) {
      entry = { ruleId, children: new Set() };
      this.bySubject.set(subject, entry);
    }
    for (const c of children) {
      entry.children.add(c);
      let subjects = this.byDevice.get(c);
      if (!subjects) {
        subjects = new Set();
        this.byDevice.set(c, subjects);
      }
      subjects.add(subject);
    }
  }

  /** Forgets the alert; returns the children it stood for. */
  uncover(subject: string): string[] {
    const entry = this.bySubject.get(subject);
    if (!entry) return [];
    this.bySubject.delete(subject);
    for (const c of entry.children) {
      const subjects = this.byDevice.get(c);
      subjects?.delete(subject);
      if (subjects?.size === 0) this.byDevice.delete(c);
    }
    return [...entry.children];
  }

  /** The first active infrastructure alert standing for the device, if any. */
  coveringOf(deviceId: string): { subject: string; ruleId: string; children: string[] } | undefined {
    const subjects = this.byDevice.get(deviceId);
    if (!subjects) return undefined;
    for (const subject of subjects) {
      const entry = this.bySubject.get(subject);
      if (entry) return { subject, ruleId: entry.ruleId, children: [...entry.children].sort() };
    }
    return undefined;
  }

  childrenOf(subject: string): string[] {
    return [...(this.bySubject.get(subject)?.children ?? [])].sort();
  }

  /** Active infrastructure alerts tracked. */
  get size(): number {
    return this.bySubject.size;
  }
}

/**
 * A silence state re-armed when the node or gateway in front of the device is back: its silence
 * fired (or was absorbed) during the outage and would never fire again, so a device still dead
 * once the others are heard again would go unreported. It counts from the return instead, as if
 * the device had just been heard: it gets a whole cadence and grace to speak before its own
 * alert. Any other state is returned as it is. Knows the shape of rules/silence.ts's state.
 */
export function rearmedSilence(state: unknown, at: EpochMs): unknown {
  if (typeof state !== "object" || state === null) return state;
  const s = state as { last?: unknown; active?: unknown };
  if (s.active !== true || typeof s.last !== "number") return state;
  return { ...s, active: false, last: Math.max(s.last, at) };
}

/**
 * How long a gateway may send nothing before it is down: 5 minutes, that is 10 status reports
 * of a Semtech packet forwarder at its default 30 s `stat_interval` and 30 of its 10 s keepalives,
 * so a lost datagram or a brief backhaul hiccup is not an outage.
 */
export const GATEWAY_SILENT_AFTER_MS = 5 * 60_000;
