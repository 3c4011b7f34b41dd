/**
 * Answers of the open channel kept as sent, by address and the dataset's version: a portal or a
 * crowd asking the same page or file again is served from memory, without a read of the figures.
 * Bounded in bytes (oldest used first out); an entry of an older version is never served, and is
 * replaced when the new one is made.
 */
export interface CachedAnswer {
  type: string;
  body: string | Buffer;
}

export class ResponseCache {
  private readonly entries = new Map<string, { tag: string; answer: CachedAnswer; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The answer kept for the key at this version, made (and kept) by `make` when there is none. */
  async answer(key: string, tag: string, make: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const held = this.entries.get(key);
    if (held && held.tag === tag) {
      this.entries.delete(key);
      this.entries.set(key, held);
      return held.answer;
    }
    const answer = await make();
    this.keep(key, tag, answer);
    return answer;
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, tag: string, answer: CachedAnswer): void {
    const bytes = typeof answer.body === "string" ? Buffer.byteLength(answer.body) : answer.body.length;
    if (bytes > this.maxBytes / 8) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    this.entries.set(key, { tag, answer, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}
