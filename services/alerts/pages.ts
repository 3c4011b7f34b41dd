import type { AlertStore } from "./store.ts";
import type { Alert, AlertQuery } from "./types.ts";

/** Alerts read per store page. */
export const ALERT_PAGE = 1000;

/**
 * The alerts a query finds, newest first, page by page: at most `maxPages` pages, and no further
 * than the first page whose last (oldest) alert `far` says is far enough back.
 */
export async function alertPages(
  store: Pick<AlertStore, "list">,
  query: Omit<AlertQuery, "limit" | "beforeId">,
  bounds: { maxPages: number; far?: (oldest: Alert) => boolean },
): Promise<Alert[]> {
  const found: Alert[] = [];
  let beforeId: number | undefined;
  for (let page = 0; page < bounds.maxPages; page++) {
    const list = await store.list({
      ...query,
      limit: ALERT_PAGE,
      ...(beforeId !== undefined ? { beforeId } : {}),
    });
    found.push(...list);
    const last = list.at(-1);
    if (list.length < ALERT_PAGE || last === undefined || bounds.far?.(last)) break;
    beforeId = last.id;
  }
  return found;
}
