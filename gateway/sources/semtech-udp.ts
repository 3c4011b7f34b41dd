import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { type Clock, systemClock } from "../../services/domain/clock.ts";
import { DataCode } from "../../services/domain/errors.ts";
import type { EpochMs } from "../../services/domain/types.ts";
import type { GatewayConfig, SemtechUdpConfig } from "../lorawan/config.ts";
import { FrameCopies } from "../lorawan/dedup.ts";
import {
  ackFor,
  decodeRxpks,
  type GatewayStat,
  type GwmpPacket,
  type GwmpProblem,
  parseGwmp,
  type RxFrame,
  type Rxpk,
} from "../lorawan/gwmp.ts";
import type { SessionTable } from "../lorawan/session.ts";
import { processUplink, readDataUpHeader } from "../lorawan/uplink.ts";

/**
 * Semtech UDP packet forwarder listener (GWMP v2, `Lora-net/packet_forwarder:PROTOCOL.TXT`) for
 * collectivities that run their own gateways, with ABP devices.
 *
 * GWMP has no authentication, so only gateways listed in the configuration are served: a
 * datagram from any other EUI gets no acknowledgement and is reported. A well-formed PUSH_DATA
 * is acknowledged first, then processed (PROTOCOL.TXT 3.1: "process packets *after* ack"; the
 * ack only measures link quality, there are no retries). Every refusal goes to `onProblem` with
 * the raw bytes, for the quarantine. Nothing a datagram contains can stop the listener.
 */

/** One gateway's hearing of a frame. */
export interface Reception {
  gatewayEui: string;
  rssi?: number;
  lsnr?: number;
  /** MHz. */
  freq?: number;
  /** The gateway's own reception time (GPS or NTP), when it sent one. */
  time?: EpochMs;
}

export interface LorawanUplink {
  deviceId: string;
  devAddr: string;
  fPort: number;
  /** Decrypted application payload. */
  bytes: Buffer;
  /** 32-bit FCntUp. */
  fCnt: number;
  confirmed: boolean;
  /** Server time the first copy arrived (gateway clocks are not trusted for ordering). */
  time: EpochMs;
  /** Every gateway's reception: the first copy's, then those of copies from other gateways as they arrive. */
  receptions: Reception[];
}

export interface SemtechUdpProblem {
  code: DataCode;
  detail: string;
  gatewayEui?: string;
  deviceId?: string;
  /** Base64 of what was refused: the whole datagram, or the PHYPayload for frame problems. */
  raw: string;
  receivedAt: EpochMs;
}

type Handler<A extends unknown[]> = (...args: A) => void | Promise<void>;

export interface SemtechUdpDeps {
  sessions: SessionTable;
  onUplink: Handler<[LorawanUplink]>;
  onProblem: Handler<[SemtechUdpProblem]>;
  onGatewayStatus?: Handler<[gatewayEui: string, stat: GatewayStat, receivedAt: EpochMs]>;
  clock?: Clock;
}

export interface SemtechUdpStats {
  datagrams: number;
  pushAcks: number;
  pullAcks: number;
  txAcks: number;
  unknownGateways: number;
  statuses: number;
  frames: number;
  uplinks: number;
  /** Copies of a frame from other gateways, joined to it (their reception added). */
  duplicates: number;
  /** Authenticated frames without application payload (no FPort, or FPort 0: MAC commands). */
  macOnly: number;
  /** rxpk with a failed radio CRC: noise, counted only. */
  crcErrors: number;
  /** Handlers that threw or rejected: a platform fault, not a data problem. */
  handlerErrors: number;
  problems: Partial<Record<DataCode, number>>;
}

/** Where a gateway was last heard, for downlinks (PULL_RESP goes to the PULL_DATA's address). */
export interface GatewayAddress {
  address: string;
  port: number;
  lastPullAt: EpochMs;
}

interface HeardFrame {
  phy: Buffer;
  /** The frame's record's receptions: copies from other gateways are added as they arrive. */
  receptions: Reception[];
  receivedAt: EpochMs;
}

const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Frames processed between two turns of the event loop. */
const SLICE = 32;

export class SemtechUdpSource {
  private socket: Socket | undefined;
  private readonly copies: FrameCopies<Reception>;
  private readonly gateways: ReadonlyMap<string, GatewayConfig>;
  private readonly pullAddresses = new Map<string, GatewayAddress>();
  /** When each listed gateway was last heard (any datagram: data, status or keep-alive). */
  readonly lastHeard = new Map<string, EpochMs>();
  private readonly counters: SemtechUdpStats = emptyStats();

  constructor(
    private readonly config: SemtechUdpConfig,
    private readonly deps: SemtechUdpDeps,
  ) {
    this.gateways = new Map(config.gateways.map((g) => [g.eui.toLowerCase(), g]));
    this.copies = new FrameCopies<Reception>(config.dedupWindowMs, config.maxPendingUplinks);
  }

  /** Binds the socket; resolves with the bound address (port 0 picks a free port). */
  async start(): Promise<{ address: string; port: number }> {
    // A burst of gateways' datagrams must not overflow the kernel's default 208 KiB buffer while
    // frames are verified: ask for 4 MiB (the kernel caps it at net.core.rmem_max).
    const socket = createSocket({ type: "udp4", recvBufferSize: RECV_BUFFER_BYTES });
    this.socket = socket;
    socket.on("message", (msg, rinfo) => this.onDatagram(msg, rinfo));
    // A send error or ICMP unreachable must not end the listener; there is nobody to tell but stats.
    socket.on("error", () => this.count("handlerErrors"));
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        this.socket = undefined;
        socket.close();
        reject(err);
      };
      socket.once("error", failed);
      socket.bind(this.config.port, this.config.host, () => {
        socket.off("error", failed);
        resolve();
      });
    });
    return { address: socket.address().address, port: socket.address().port };
  }

  /**
   * New frames, processed in slices: verifying, decrypting and decoding a burst in one go held
   * the event loop for hundreds of ms, delaying every PUSH_ACK (and the gateways' next
   * datagrams) behind them.
   */
  private readonly queue: HeardFrame[] = [];
  private draining = false;

  private enqueue(frame: HeardFrame): void {
    this.queue.push(frame);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drainSlice());
  }

  private drainSlice(): void {
    for (let i = 0; i < SLICE && this.queue.length > 0; i++)
      this.onNewFrame(this.queue.shift() as HeardFrame);
    if (this.queue.length > 0) setImmediate(() => this.drainSlice());
    else this.draining = false;
  }

  /** Closes the socket after handing over every frame still queued. */
  async close(): Promise<void> {
    while (this.queue.length > 0) this.onNewFrame(this.queue.shift() as HeardFrame);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  get port(): number | undefined {
    return this.socket?.address().port;
  }

  stats(): SemtechUdpStats {
    return { ...this.counters, problems: { ...this.counters.problems } };
  }

  gatewayAddress(eui: string): GatewayAddress | undefined {
    return this.pullAddresses.get(eui.toLowerCase());
  }

  // -------------------------------------------------------------------------------------------

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    const receivedAt = this.now();
    this.count("datagrams");
    const parsed = parseGwmp(msg);
    if (!parsed.ok) {
      this.onBadDatagram(parsed.problem, msg, receivedAt);
      return;
    }
    const { packet } = parsed;
    if (!("gatewayEui" in packet)) {
      this.problem(DataCode.UDP_PROTOCOL, `${packet.type} is sent by servers, not gateways`, msg, receivedAt);
      return;
    }
    if (!this.gateways.has(packet.gatewayEui)) {
      this.onUnknownGateway(packet.gatewayEui, packet.type, msg, receivedAt);
      return;
    }
    this.onGatewayPacket(packet, msg, rinfo, receivedAt);
  }

  private onBadDatagram(problem: GwmpProblem, msg: Buffer, receivedAt: EpochMs): void {
    const eui = problem.gatewayEui;
    if (eui !== undefined && !this.gateways.has(eui)) {
      this.onUnknownGateway(eui, problem.type ?? "datagram", msg, receivedAt);
      return;
    }
    this.problem(problem.code, problem.detail, msg, receivedAt, eui === undefined ? {} : { gatewayEui: eui });
  }

  private onUnknownGateway(eui: string, type: string, msg: Buffer, receivedAt: EpochMs): void {
    this.count("unknownGateways");
    this.problem(DataCode.GATEWAY_UNKNOWN, `${type} from gateway ${eui}, not listed`, msg, receivedAt, {
      gatewayEui: eui,
    });
  }

  private onGatewayPacket(packet: GwmpPacket, msg: Buffer, rinfo: RemoteInfo, receivedAt: EpochMs): void {
    if ("gatewayEui" in packet) this.lastHeard.set(packet.gatewayEui, receivedAt);
    const ack = ackFor(packet);
    if (ack) this.send(ack, rinfo, packet.type === "PUSH_DATA" ? "pushAcks" : "pullAcks");
    switch (packet.type) {
      case "PUSH_DATA":
        this.onPushData(packet.gatewayEui, packet.body.rxpk ?? [], packet.body.stat, msg, receivedAt);
        return;
      case "PULL_DATA":
        this.pullAddresses.set(packet.gatewayEui, {
          address: rinfo.address,
          port: rinfo.port,
          lastPullAt: receivedAt,
        });
        return;
      case "TX_ACK":
        this.count("txAcks");
        return;
      default:
        return;
    }
  }

  private onPushData(
    eui: string,
    rxpks: readonly Rxpk[],
    stat: GatewayStat | undefined,
    msg: Buffer,
    receivedAt: EpochMs,
  ): void {
    if (stat) {
      this.count("statuses");
      this.call(this.deps.onGatewayStatus, eui, stat, receivedAt);
    }
    const decoding = decodeRxpks(rxpks);
    this.counters.crcErrors += decoding.crcErrors;
    for (const p of decoding.problems) {
      this.problem(p.code, `rxpk[${p.index}]: ${p.detail}`, msg, receivedAt, { gatewayEui: eui });
    }
    for (const frame of decoding.frames) this.onFrame(eui, frame, receivedAt);
  }

  /** A new frame is queued at once; a copy from another gateway only adds its reception. */
  private onFrame(eui: string, frame: RxFrame, receivedAt: EpochMs): void {
    this.count("frames");
    const header = readDataUpHeader(frame.phyPayload);
    if (!header.ok) {
      this.problem(header.code, header.detail, frame.phyPayload, receivedAt, { gatewayEui: eui });
      return;
    }
    const seen = this.copies.see(frame.phyPayload, eui, reception(eui, frame), receivedAt);
    if (seen.copy) {
      this.count("duplicates");
      return;
    }
    this.enqueue({ phy: frame.phyPayload, receptions: seen.record.receptions, receivedAt });
  }

  private onNewFrame(first: HeardFrame): void {
    const result = processUplink(first.phy, this.deps.sessions);
    if (!result.ok) {
      const context = { gatewayEui: first.receptions[0]?.gatewayEui, ...pickDevice(result.deviceId) };
      this.problem(result.code, result.detail, first.phy, first.receivedAt, context);
      return;
    }
    const { uplink } = result;
    if (uplink.fPort === null || uplink.fPort === 0) {
      this.count("macOnly");
      return;
    }
    this.count("uplinks");
    this.call(this.deps.onUplink, {
      deviceId: uplink.deviceId,
      devAddr: uplink.devAddr,
      fPort: uplink.fPort,
      bytes: uplink.payload,
      fCnt: uplink.fCnt,
      confirmed: uplink.confirmed,
      time: first.receivedAt,
      receptions: first.receptions,
    });
  }

  // -------------------------------------------------------------------------------------------

  private problem(
    code: DataCode,
    detail: string,
    raw: Buffer,
    receivedAt: EpochMs,
    context: { gatewayEui?: string; deviceId?: string } = {},
  ): void {
    this.counters.problems[code] = (this.counters.problems[code] ?? 0) + 1;
    this.call(this.deps.onProblem, { code, detail, ...context, raw: raw.toString("base64"), receivedAt });
  }

  private send(datagram: Buffer, to: RemoteInfo, counter: "pushAcks" | "pullAcks"): void {
    this.socket?.send(datagram, to.port, to.address, (err) => this.count(err ? "handlerErrors" : counter));
  }

  /** Runs a handler so that neither a throw nor a rejection can reach the socket's event loop. */
  private call<A extends unknown[]>(handler: Handler<A> | undefined, ...args: A): void {
    if (!handler) return;
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch(() => this.count("handlerErrors"));
    } catch {
      this.count("handlerErrors");
    }
  }

  private count(key: Exclude<keyof SemtechUdpStats, "problems">): void {
    this.counters[key]++;
  }

  private now(): EpochMs {
    return (this.deps.clock ?? systemClock).now();
  }
}

/**
 * A gateway's hearing of a frame, with the radio figures that are numbers: `"rssi": 1e400` is
 * valid JSON that reads as Infinity, which the health view wrote as null where its schema
 * promises a number. A figure that is not a finite number is left out, as an absent one is.
 */
function reception(gatewayEui: string, frame: RxFrame): Reception {
  const { rssi, lsnr, freq, time } = frame.rxpk;
  const parsedTime = typeof time === "string" ? Date.parse(time) : Number.NaN;
  return {
    gatewayEui,
    ...(isFiniteNumber(rssi) ? { rssi } : {}),
    ...(isFiniteNumber(lsnr) ? { lsnr } : {}),
    ...(isFiniteNumber(freq) ? { freq } : {}),
    ...(Number.isFinite(parsedTime) ? { time: parsedTime } : {}),
  };
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function pickDevice(deviceId: string | undefined): { deviceId?: string } {
  return deviceId === undefined ? {} : { deviceId };
}

function emptyStats(): SemtechUdpStats {
  return {
    datagrams: 0,
    pushAcks: 0,
    pullAcks: 0,
    txAcks: 0,
    unknownGateways: 0,
    statuses: 0,
    frames: 0,
    uplinks: 0,
    duplicates: 0,
    macOnly: 0,
    crcErrors: 0,
    handlerErrors: 0,
    problems: {},
  };
}
