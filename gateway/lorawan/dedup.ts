/**
 * The same radio frame heard by several gateways reaches the server as several rxpk, usually
 * within tens of milliseconds, sometimes seconds later over a slow backhaul. Network servers that
 * send downlinks (ChirpStack, The Things Stack) wait a window (200 ms by default) to gather every
 * copy before handling the frame, so that they can pick a gateway for the answer. Lanterne sends
 * no downlink: it handles a frame at its first copy, with no wait, and copies from other gateways
 * arriving within `windowMs` join that frame's record (their reception is added to it), so the
 * frame is authenticated and its counter advanced once and a copy is never taken for a replay.
 *
 * Copies are recognised by their exact bytes (a forged frame differs). The same frame again from
 * a gateway that already sent it, or after the window, is no copy: it is handled again, and
 * refused as a replay. At most `maxEntries` frames are remembered (the oldest are forgotten).
 */
export interface FrameRecord<R> {
  firstAt: number;
  gateways: Set<string>;
  /** Every gateway's reception of the frame; grows as copies arrive. */
  receptions: R[];
}

export type Sighting<R> = { copy: true; record: FrameRecord<R> } | { copy: false; record: FrameRecord<R> };

export class FrameCopies<R> {
  readonly #records = new Map<string, FrameRecord<R>>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.#records.size;
  }

  /** A copy of a frame seen lately from another gateway (its reception added), or a new frame. */
  see(phy: Buffer, gateway: string, reception: R, now: number): Sighting<R> {
    const key = phy.toString("base64");
    const known = this.#records.get(key);
    if (known && now - known.firstAt <= this.windowMs && !known.gateways.has(gateway)) {
      known.gateways.add(gateway);
      known.receptions.push(reception);
      return { copy: true, record: known };
    }
    const record: FrameRecord<R> = { firstAt: now, gateways: new Set([gateway]), receptions: [reception] };
    this.#records.delete(key);
    this.#records.set(key, record);
    this.#trim(now);
    return { copy: false, record };
  }

  #trim(now: number): void {
    // Insertion order is age order: forget from the oldest end.
    for (const [key, { firstAt }] of this.#records) {
      if (this.#records.size <= this.maxEntries && now - firstAt <= this.windowMs) break;
      this.#records.delete(key);
    }
  }
}
