import type { AlertStore } from "./store.ts";
import type { AlertChange } from "./types.ts";

/**
 * Follows the alert history from a point: first what is stored after `afterId` (a resumed stream,
 * a webhook outbox's cursor; "now" for nothing of the past), then each new change as the store tells it, with no gap and no
 * repeat. The store is the source of truth: a consumer too slow for the live changes (more than
 * `maxBuffered` waiting) loses nothing, it reads them again from the store, so memory stays
 * bounded whatever the consumer's pace.
 */
export interface FollowOptions {
  signal: AbortSignal;
  /** Live changes held for a slow consumer before it falls back to reading the store. */
  maxBuffered?: number;
  /** Changes read from the store at a time while catching up. */
  pageSize?: number;
}

export async function* followChanges(
  store: Pick<AlertStore, "changes" | "onChange" | "lastChangeId">,
  afterId: number | "now",
  options: FollowOptions,
): AsyncGenerator<AlertChange> {
  const maxBuffered = options.maxBuffered ?? 1_000;
  const pageSize = options.pageSize ?? 500;
  const { signal } = options;
  let buffer: AlertChange[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Subscribed before the first read: whatever commits from now on is either read or buffered.
  const stop = store.onChange((change) => {
    if (buffer.length >= maxBuffered) {
      overflowed = true;
      buffer = [];
    } else if (!overflowed) buffer.push(change);
    notify();
  });
  signal.addEventListener("abort", notify, { once: true });
  let last = 0;
  try {
    // "now": only what comes next; what commits meanwhile is buffered and kept if newer.
    last = afterId === "now" ? await store.lastChangeId() : Math.max(0, afterId);
    while (!signal.aborted) {
      overflowed = false;
      for (;;) {
        const page = await store.changes(last, pageSize);
        for (const change of page) {
          if (signal.aborted) return;
          yield change;
          last = change.id;
        }
        if (page.length < pageSize) break;
      }
      while (!signal.aborted && !overflowed) {
        const change = buffer.shift();
        if (change === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        } else if (change.id > last) {
          yield change;
          last = change.id;
        }
      }
      // Overflowed: what was dropped is in the store; read it from there.
      buffer = [];
    }
  } finally {
    stop();
    signal.removeEventListener("abort", notify);
  }
}
