import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { WebhookCursorError } from "./errors.ts";

/**
 * A webhook's durable cursor: the last history id its receiver acknowledged (or that its filter
 * let pass), as `{"after": 42}` in one small file. Written to a temporary file, flushed, then
 * renamed over the old one: a crash leaves the old cursor or the new one, never half of one. A
 * crash between a receiver's 2xx and the rename resends that one change (at least once).
 */
export async function readCursor(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let after: unknown;
  try {
    after = (JSON.parse(text) as { after?: unknown }).after;
  } catch {
    throw new WebhookCursorError(path, "not JSON");
  }
  if (typeof after !== "number" || !Number.isSafeInteger(after) || after < 0) {
    throw new WebhookCursorError(path, "no history id in `after`");
  }
  return after;
}

export async function writeCursor(path: string, after: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  const file = await open(temporary, "w");
  try {
    await file.writeFile(`${JSON.stringify({ after })}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  await syncDir(dirname(path));
}

/** Makes the rename itself durable; some platforms cannot open a folder, which is then left as is. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (Windows): the rename is still atomic, only its durability is the OS's.
  }
}
