import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { encodeDataUp } from "../gateway/lorawan/encode.ts";
import { buildGwmp } from "../gateway/lorawan/gwmp.ts";
import { type Container, em310For, FPORT, GATEWAYS } from "./lorawan-fleet.ts";
import { LatencyHistogram, sleep, UsageMeter } from "./metrics.ts";
import { Waker } from "./waker.ts";

/**
 * Packet forwarders for the benchmark: one UDP socket per gateway of the territory, sending
 * PUSH_DATA datagrams (GWMP v2) to the platform. Each frame is heard by 1, 2 or 3 gateways in
 * turn, sent back to back, so the listener's deduplication has copies to merge.
 *
 * UDP has no backpressure, so sending is bounded twice: a token bucket (the offered rate, per
 * 2 ms tick, at most 20 ms of burst) and a window of datagrams not yet acknowledged (PUSH_ACK,
 * which the listener sends as soon as it reads a datagram): the window bounds what waits in the
 * listener's socket buffer. A datagram without PUSH_ACK after `ackTimeoutMs` frees its slot and
 * is counted as unacknowledged (the kernel dropped it, or the listener is far behind).
 *
 * Frames are encrypted and signed (MIC) before the phase, as the device would (frame n of a
 * device is the same in every phase: each phase starts a fresh platform with fresh counters),
 * so the generator's time goes to sending only.
 */
export interface UdpRunSpec {
  /** Offered frames per second; as fast as the window allows when absent. */
  rate?: number;
  seconds: number;
  /** Datagrams in flight (sent, not acknowledged). */
  window: number;
  ackTimeoutMs: number;
}

export interface UdpRunResult {
  /** Frames (uplinks) the schedule asked for, and frames sent (each as 1 to 3 datagrams). */
  offered: number;
  frames: number;
  datagrams: number;
  acked: number;
  unacked: number;
  sendErrors: number;
  /** The pre-encoded frames ran out before the end of the phase. */
  exhausted: boolean;
  publishMs: number;
  /** Send to PUSH_ACK, ms: how long datagrams waited in the listener's socket and event loop. */
  ackP50: number | undefined;
  ackP99: number | undefined;
  /** Frames sent per number of gateways that heard them (index 1..3). */
  copies: number[];
  cores: number;
}

/** PHYPayloads (base64) of every container's first `perDevice` frames. */
export class FramePool {
  private readonly frames: Array<Array<{ data: string; size: number }>>;

  constructor(
    readonly fleet: readonly Container[],
    readonly perDevice: number,
  ) {
    this.frames = fleet.map((c) => {
      const list: Array<{ data: string; size: number }> = [];
      for (let n = 1; n <= perDevice; n++) {
        const phy = encodeDataUp(
          { devAddr: c.devAddr, fCnt: n, fPort: FPORT, payload: em310For(c, n) },
          c.keys,
        );
        list.push({ data: phy.toString("base64"), size: phy.length });
      }
      return list;
    });
  }

  get size(): number {
    return this.fleet.length * this.perDevice;
  }

  /** Frame `seq` of the run: devices in turn, so frame n of each device follows frame n-1. */
  frame(seq: number): { data: string; size: number } | undefined {
    const device = seq % this.fleet.length;
    return this.frames[device]?.[Math.floor(seq / this.fleet.length)];
  }
}

interface Gateway {
  eui: string;
  socket: Socket;
  /** Send time by PUSH_DATA token. */
  outstanding: Map<number, number>;
  token: number;
}

export class Forwarders {
  private constructor(private readonly gateways: Gateway[]) {}

  static async open(): Promise<Forwarders> {
    const gateways: Gateway[] = [];
    for (const eui of GATEWAYS) {
      const socket = createSocket("udp4");
      socket.bind(0, "127.0.0.1");
      await once(socket, "listening");
      gateways.push({ eui, socket, outstanding: new Map(), token: 0 });
    }
    return new Forwarders(gateways);
  }

  async close(): Promise<void> {
    await Promise.all(this.gateways.map((g) => new Promise<void>((r) => g.socket.close(() => r()))));
  }

  /** One phase against the listener at `port`. */
  async run(port: number, pool: FramePool, spec: UdpRunSpec): Promise<UdpRunResult> {
    const meter = new UsageMeter();
    const acks = new LatencyHistogram(60_000);
    const r: UdpRunResult = {
      offered: 0,
      frames: 0,
      datagrams: 0,
      acked: 0,
      unacked: 0,
      sendErrors: 0,
      exhausted: false,
      publishMs: 0,
      ackP50: undefined,
      ackP99: undefined,
      copies: [0, 0, 0, 0],
      cores: 0,
    };
    const waker = new Waker();
    const onAck = (g: Gateway) => (msg: Buffer) => {
      // PUSH_ACK: version, token (2 bytes), identifier 1.
      if (msg.length < 4 || msg[3] !== 1) return;
      const token = msg.readUInt16BE(1);
      const sent = g.outstanding.get(token);
      if (sent === undefined) return;
      g.outstanding.delete(token);
      r.acked++;
      acks.add(performance.now() - sent);
      waker.wake();
    };
    const listeners = this.gateways.map((g) => {
      const l = onAck(g);
      g.socket.on("message", l);
      return l;
    });
    const inflight = () => this.gateways.reduce((n, g) => n + g.outstanding.size, 0);
    meter.mark();
    const start = performance.now();
    const end = start + spec.seconds * 1000;
    const burst = spec.rate === undefined ? 0 : Math.max(1, spec.rate / 50);
    let credit = 0;
    let lastTick = start;
    try {
      for (let now = start; now < end; now = performance.now()) {
        this.expire(now, spec.ackTimeoutMs, r);
        if (spec.rate !== undefined) {
          const due = (spec.rate * (now - lastTick)) / 1000;
          credit = Math.min(burst, credit + due);
          r.offered += due;
          lastTick = now;
        }
        while ((spec.rate === undefined || credit >= 1) && inflight() + 3 <= spec.window) {
          const phy = pool.frame(r.frames);
          if (phy === undefined) {
            r.exhausted = true;
            break;
          }
          this.sendFrame(port, phy, r);
          credit -= 1;
        }
        if (r.exhausted) break;
        await waker.sleep(2);
      }
      r.publishMs = performance.now() - start;
      if (spec.rate === undefined) r.offered = r.frames;
      r.offered = Math.round(r.offered);
      // The last acknowledgements, bounded.
      const drainEnd = performance.now() + spec.ackTimeoutMs;
      while (inflight() > 0 && performance.now() < drainEnd) await sleep(5);
      this.expire(Number.POSITIVE_INFINITY, 0, r);
    } finally {
      this.gateways.forEach((g, i) => {
        g.socket.off("message", listeners[i] as (msg: Buffer) => void);
      });
    }
    r.cores = meter.read().cpuMs / Math.max(1, r.publishMs);
    r.ackP50 = acks.percentile(0.5);
    r.ackP99 = acks.percentile(0.99);
    return r;
  }

  /** Frames in turn heard by 1, 2, 3 gateways; `rxpk.time` is the send time (for the latency). */
  private sendFrame(port: number, phy: { data: string; size: number }, r: UdpRunResult): void {
    const copies = 1 + (r.frames % 3);
    r.frames++;
    r.copies[copies] = (r.copies[copies] ?? 0) + 1;
    const time = new Date().toISOString();
    for (let i = 0; i < copies; i++) {
      const g = this.gateways[i] as Gateway;
      g.token = (g.token + 1) & 0xffff;
      const token = g.token;
      const datagram = buildGwmp({
        type: "PUSH_DATA",
        token,
        gatewayEui: g.eui,
        body: {
          rxpk: [
            {
              time,
              tmst: r.frames & 0xffffffff,
              freq: 868.1,
              stat: 1,
              modu: "LORA",
              datr: "SF7BW125",
              codr: "4/5",
              rssi: -97 - 5 * i,
              lsnr: 7.5 - i,
              size: phy.size,
              data: phy.data,
            },
          ],
        },
      });
      g.outstanding.set(token, performance.now());
      r.datagrams++;
      g.socket.send(datagram, port, "127.0.0.1", (err) => {
        if (!err) return;
        r.sendErrors++;
        g.outstanding.delete(token);
      });
    }
  }

  private expire(now: number, timeoutMs: number, r: UdpRunResult): void {
    for (const g of this.gateways) {
      for (const [token, sent] of g.outstanding) {
        if (now - sent < timeoutMs) break; // insertion order: the oldest first
        g.outstanding.delete(token);
        r.unacked++;
      }
    }
  }
}

/** UDP datagrams the kernel dropped for want of receive buffer, machine-wide (Linux /proc/net/snmp). */
export async function udpReceiveErrors(): Promise<number | undefined> {
  try {
    const { readFile } = await import("node:fs/promises");
    const lines = (await readFile("/proc/net/snmp", "utf8")).split("\n").filter((l) => l.startsWith("Udp:"));
    const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
    const i = names?.indexOf("RcvbufErrors") ?? -1;
    return i < 0 ? undefined : Number(values?.[i]);
  } catch {
    return undefined;
  }
}
