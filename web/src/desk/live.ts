import type { AlertEvent } from "./types.ts";

/** How long to wait before opening the stream again after the server closed it. */
const REOPEN_MS = 5000;

export interface LiveOptions {
  onAlert: (event: AlertEvent) => void;
  /** True while the stream is open. */
  onState: (open: boolean) => void;
  /** The stream was refused (a session that ended, for one): the page checks who is logged in. */
  onRefused: () => void;
}

/**
 * The live alert changes from `GET /api/v1/events` with the browser's EventSource (same origin:
 * the session cookie goes with it). The browser reconnects by itself after a network cut, sending
 * Last-Event-ID; when the server refused the stream (the EventSource is closed), it is opened
 * again a little later from the last event seen (`?lastEventId=`), so that nothing is missed.
 */
export function followAlerts(options: LiveOptions): { close(): void } {
  let lastId: number | undefined;
  let source: EventSource | undefined;
  let stopped = false;
  const open = () => {
    const url = lastId === undefined ? "/api/v1/events" : `/api/v1/events?lastEventId=${lastId}`;
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener("open", () => options.onState(true));
    source.addEventListener("alert", (message) => {
      const event = parse(message);
      if (!event) return;
      lastId = Math.max(lastId ?? 0, event.id);
      options.onAlert(event);
    });
    source.addEventListener("error", () => {
      options.onState(false);
      if (source?.readyState !== EventSource.CLOSED || stopped) return;
      options.onRefused();
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

function parse(message: Event): AlertEvent | undefined {
  if (!(message instanceof MessageEvent) || typeof message.data !== "string") return undefined;
  try {
    const data = JSON.parse(message.data) as AlertEvent;
    return typeof data.id === "number" && typeof data.alert?.id === "number" ? data : undefined;
  } catch {
    return undefined;
  }
}
