import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync, renameSync } from "node:fs";
import { createInterface } from "node:readline";
import { finished } from "node:stream/promises";

/**
 * The rule engine's state on disk, so that a restart does not forget that a lamp was seen last at
 * 21:40 (a silence), that a pressure has been out of its band for ten minutes (a duration), or a
 * container's fill history (not emptied). One JSON line per (device, rule): written to a new file
 * and renamed over the old one, so a crash while saving leaves the previous file whole. What
 * changed since the last save is lost by a crash (`kill -9`), which at worst delays an alert or a
 * clearing by the kind's own window, never invents one: the alert store, not this file, is the
 * record of what was raised.
 */
export interface SavedSlot {
  /** Device id. */
  d: string;
  /** Contract key, "id@version". */
  c: string;
  /** Rule id within the contract. */
  r: string;
  /** The rule's parameters as JSON when saved: a state is dropped if they changed since. */
  p: string;
  /** The kind's state. */
  s: unknown;
}

export async function saveSlots(path: string, slots: Iterable<SavedSlot>): Promise<number> {
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp, { encoding: "utf8" });
  let n = 0;
  for (const slot of slots) {
    if (!out.write(`${JSON.stringify(slot)}\n`)) await once(out, "drain");
    n++;
  }
  out.end();
  await finished(out);
  renameSync(tmp, path);
  return n;
}

/**
 * Every well-formed line, and `null` for each torn or foreign one (its slot starts from nothing):
 * the caller counts those, so that a damaged file says so rather than silently forgetting.
 */
export async function* loadSlots(path: string): AsyncGenerator<SavedSlot | null> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      yield null;
      continue;
    }
    yield isSaved(parsed) ? parsed : null;
  }
}

function isSaved(v: unknown): v is SavedSlot {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.d === "string" && typeof o.c === "string" && typeof o.r === "string" && typeof o.p === "string"
  );
}
