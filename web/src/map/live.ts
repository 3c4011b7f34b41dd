import { type Condition, isCondition } from "./types.ts";

/** How long to wait before opening the stream again after the server closed it. */
const REOPEN_MS = 5000;

/** A `device` event of the live stream: a subject's state moved (ok, fault, silent). */
export interface DeviceChange {
  subject: string;
  state: Condition;
  children: string[];
}

export interface LiveOptions {
  onDevice: (change: DeviceChange) => void;
  /** Any alert change (raised, acknowledged, cleared, closed). */
  onAlert: () => void;
  onState: (open: boolean) => void;
}

/**
 * The live state changes from `GET /api/v1/events` (EventSource, same origin: the session cookie
 * goes with it). The browser reconnects by itself after a cut; a stream the server closed is
 * opened again a little later.
 */
export function followDevices(options: LiveOptions): { close(): void } {
  let source: EventSource | undefined;
  let stopped = false;
  const open = () => {
    source = new EventSource("/api/v1/events", { withCredentials: true });
    source.addEventListener("open", () => options.onState(true));
    source.addEventListener("device", (message) => {
      const change = parseDevice(message);
      if (change) options.onDevice(change);
    });
    source.addEventListener("alert", () => options.onAlert());
    source.addEventListener("error", () => {
      options.onState(false);
      if (source?.readyState !== EventSource.CLOSED || stopped) return;
      window.setTimeout(() => {
        if (!stopped) open();
      }, REOPEN_MS);
    });
  };
  open();
  return {
    close() {
      stopped = true;
      source?.close();
    },
  };
}

function parseDevice(message: Event): DeviceChange | undefined {
  if (!(message instanceof MessageEvent) || typeof message.data !== "string") return undefined;
  try {
    const data = JSON.parse(message.data) as { subject?: unknown; state?: unknown; children?: unknown };
    if (typeof data.subject !== "string" || !isCondition(data.state)) return undefined;
    const children = Array.isArray(data.children)
      ? data.children.filter((c): c is string => typeof c === "string")
      : [];
    return { subject: data.subject, state: data.state, children };
  } catch {
    return undefined;
  }
}
