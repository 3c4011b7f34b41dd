import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { type FileHandle, open, readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import type { EpochMs } from "../domain/types.ts";
import {
  type AccessAction,
  type AccessEntry,
  type ChainedEntry,
  type ChainVerdict,
  chain,
  GENESIS,
  parseEntry,
  verifyChain,
} from "./access-log.ts";

/**
 * The access log on disk: one JSON line per entry (NDJSON), append-only, written in small
 * batches (every 200 ms at most, and at close) with a data sync, so that recording a read never
 * waits on the disk. The chain is made in memory as entries come, in their order, so that the
 * file's order is the chain's. A last line cut by a crash (no newline) was never synced whole: it
 * is dropped at start, and the chain goes on from the last complete entry.
 */
export interface AccessQuery {
  from?: EpochMs;
  to?: EpochMs;
  who?: string;
  action?: AccessAction;
  limit: number;
  /** Paging, newest first: entries strictly before this sequence number. */
  beforeSeq?: number;
}

export interface AccessLog {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Chains the entry now and writes it with the next batch. */
  append(entry: AccessEntry): ChainedEntry;
  /** Writes what is pending. */
  flush(): Promise<void>;
  /** Entries matching the query, newest first. */
  read(query: AccessQuery): Promise<ChainedEntry[]>;
  verify(): Promise<ChainVerdict>;
  readonly path: string;
}

const FLUSH_MS = 200;

/** `onError`: told of each batch that could not be written (it stays pending and is tried again). */
export function createFileAccessLog(path: string, onError?: (err: unknown) => void): AccessLog {
  return new FileAccessLog(path, onError);
}

class FileAccessLog implements AccessLog {
  private tail = { seq: 0, hash: GENESIS };
  private pending: string[] = [];
  /** The file's length once the last write succeeded: a write that fails is cut back to it. */
  private bytes = 0;
  private file: FileHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    if (existsSync(this.path)) await this.recover();
    this.file = await open(this.path, "a");
    this.bytes = (await this.file.stat()).size;
  }

  /** Finds the chain's end; drops a last line a crash cut short. */
  private async recover(): Promise<void> {
    const text = await readFile(this.path, "utf8");
    const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length !== text.length) await truncate(this.path, Buffer.byteLength(complete));
    const lines = complete.split("\n").filter((l) => l !== "");
    const last = lines.length > 0 ? parseEntry(lines[lines.length - 1] as string) : undefined;
    if (last) this.tail = { seq: last.seq, hash: last.hash };
  }

  append(entry: AccessEntry): ChainedEntry {
    const chained = chain(this.tail, entry);
    this.tail = { seq: chained.seq, hash: chained.hash };
    this.pending.push(`${JSON.stringify(chained)}\n`);
    this.schedule();
    return chained;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => {
        this.onError(err);
        this.schedule();
      });
    }, FLUSH_MS);
  }

  /**
   * Writes what is pending. A write that fails (a full disk) is cut back to the last whole entry
   * and its lines go back in front of the newer ones, in chain order, for the next try: an entry
   * is never lost nor written twice, and the writes after it are not stopped.
   */
  flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    const write = this.writing.then(() => this.write(lines));
    this.writing = write.catch(() => undefined);
    return write;
  }

  private async write(lines: readonly string[]): Promise<void> {
    const file = this.file;
    if (lines.length === 0 || !file) return;
    const text = lines.join("");
    try {
      await file.appendFile(text, "utf8");
      await file.datasync();
      this.bytes += Buffer.byteLength(text);
    } catch (err) {
      await file.truncate(this.bytes).catch(() => undefined);
      this.pending = [...lines, ...this.pending];
      throw err;
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.file?.close();
    this.file = undefined;
  }

  async read(q: AccessQuery): Promise<ChainedEntry[]> {
    await this.flush();
    const found: ChainedEntry[] = [];
    for await (const e of this.entries()) {
      if (!e || !matches(e, q)) continue;
      found.push(e);
      if (found.length > q.limit) found.shift();
    }
    return found.reverse();
  }

  async verify(): Promise<ChainVerdict> {
    await this.flush();
    return verifyFile(this.path);
  }

  private entries(): AsyncIterable<ChainedEntry | undefined> {
    return readEntries(this.path);
  }
}

function matches(e: ChainedEntry, q: AccessQuery): boolean {
  if (q.beforeSeq !== undefined && e.seq >= q.beforeSeq) return false;
  if (q.from !== undefined && e.at < q.from) return false;
  if (q.to !== undefined && e.at >= q.to) return false;
  if (q.who !== undefined && e.who !== q.who) return false;
  return q.action === undefined || e.action === q.action;
}

async function* readEntries(path: string): AsyncIterable<ChainedEntry | undefined> {
  if (!existsSync(path)) return;
  const lines = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line !== "") yield parseEntry(line);
}

/** Verifies a log file as an auditor would: a line that is not an entry breaks the chain there. */
export async function verifyFile(path: string): Promise<ChainVerdict> {
  const entries: ChainedEntry[] = [];
  let line = 0;
  for await (const e of readEntries(path)) {
    line++;
    if (!e) return { ok: false, seq: (entries.at(-1)?.seq ?? 0) + 1, reason: `line ${line} is not an entry` };
    entries.push(e);
  }
  return verifyChain(entries);
}
