/**
 * Deduplication window. The same radio frame heard by several gateways reaches the server as
 * several rxpk within tens of milliseconds (ChirpStack's default window is 200 ms). The first copy
 * opens a window; copies with the same key join it; when it closes, `flush` gets every copy at
 * once, so the frame is authenticated and its counter advanced exactly once and later copies are
 * not mistaken for replays.
 *
 * In-flight work is bounded: past `maxPending` open windows, a new frame is flushed alone at once
 * (its copies, if any, then count as replays) rather than queued without limit.
 */
export interface DedupOptions {
  windowMs: number;
  maxPending: number;
}

export type DedupOutcome = "opened" | "joined" | "immediate";

export class Deduplicator<T> {
  readonly #pending = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();
  readonly #options: DedupOptions;
  readonly #flush: (items: T[]) => void;

  constructor(options: DedupOptions, flush: (items: T[]) => void) {
    this.#options = options;
    this.#flush = flush;
  }

  get pending(): number {
    return this.#pending.size;
  }

  add(key: string, item: T): DedupOutcome {
    const open = this.#pending.get(key);
    if (open) {
      open.items.push(item);
      return "joined";
    }
    if (this.#pending.size >= this.#options.maxPending) {
      this.#flush([item]);
      return "immediate";
    }
    const timer = setTimeout(() => this.#close(key), this.#options.windowMs);
    this.#pending.set(key, { items: [item], timer });
    return "opened";
  }

  /** Closes every open window now (at shutdown: nothing held is lost). */
  flushAll(): void {
    for (const key of [...this.#pending.keys()]) this.#close(key);
  }

  #close(key: string): void {
    const open = this.#pending.get(key);
    if (!open) return;
    clearTimeout(open.timer);
    this.#pending.delete(key);
    this.#flush(open.items);
  }
}

/**
 * Frames accepted lately, by their exact bytes, with the gateways that delivered them. A copy
 * from another gateway whose backhaul is slower than the deduplication window arrives after its
 * frame was accepted: it is the same radio frame, not a replay, and is counted as a late duplicate
 * rather than kept in quarantine. The same frame again from a gateway that already delivered it
 * is a replay (a packet forwarder sends each frame once), as is any copy past `maxAgeMs` or past
 * `maxEntries` frames: those are refused and kept in quarantine as before.
 */
export class RecentFrames {
  readonly #seen = new Map<string, { at: number; gateways: Set<string> }>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
  ) {}

  remember(phy: Buffer, gateways: readonly string[], now: number): void {
    const key = phy.toString("base64");
    this.#seen.delete(key);
    this.#seen.set(key, { at: now, gateways: new Set(gateways) });
    this.#trim(now);
  }

  /** Whether `phy` from `gateway` is a late copy of a frame accepted lately (then noted). */
  lateCopy(phy: Buffer, gateway: string, now: number): boolean {
    const seen = this.#seen.get(phy.toString("base64"));
    if (!seen || now - seen.at > this.maxAgeMs || seen.gateways.has(gateway)) return false;
    seen.gateways.add(gateway);
    return true;
  }

  #trim(now: number): void {
    // Insertion order is age order: drop from the oldest end.
    for (const [key, { at }] of this.#seen) {
      if (this.#seen.size <= this.maxEntries && now - at <= this.maxAgeMs) break;
      this.#seen.delete(key);
    }
  }
}
