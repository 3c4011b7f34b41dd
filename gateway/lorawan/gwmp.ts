import { DataCode } from "../../services/domain/errors.ts";
import { parseBoundedJson } from "../pipeline/bounded-json.ts";

/**
 * Semtech UDP packet forwarder protocol (GWMP), version 2, as written in
 * `Lora-net/packet_forwarder:PROTOCOL.TXT`:
 *
 *   byte 0      protocol version = 2
 *   bytes 1-2   random token (echoed by PUSH_ACK / PULL_ACK, TX_ACK echoes the PULL_RESP's)
 *   byte 3      identifier (PUSH_DATA 0x00 ... TX_ACK 0x05)
 *   bytes 4-11  gateway unique identifier (PUSH_DATA, PULL_DATA, TX_ACK only)
 *   rest        JSON object (PUSH_DATA: section 4, PULL_RESP: section 6, TX_ACK: optional)
 *
 * Parsing returns values, never throws: a datagram that cannot be read is one `GwmpProblem`.
 */
export const GWMP_VERSION = 2;

export const PacketType = {
  PUSH_DATA: 0x00,
  PUSH_ACK: 0x01,
  PULL_DATA: 0x02,
  PULL_RESP: 0x03,
  PULL_ACK: 0x04,
  TX_ACK: 0x05,
} as const;
export type PacketTypeName = keyof typeof PacketType;

const NAME_BY_ID: ReadonlyMap<number, PacketTypeName> = new Map(
  (Object.entries(PacketType) as [PacketTypeName, number][]).map(([name, id]) => [id, name]),
);

/** Header (4 bytes) plus gateway EUI (8 bytes). */
export const HEADER_LENGTH = 4;
export const EUI_HEADER_LENGTH = 12;
/** The shortest JSON object, `{}`. */
const MIN_JSON = 2;

/** One received RF packet and its metadata (PROTOCOL.TXT section 4). Every field as on the wire. */
export interface Rxpk {
  /** UTC time of reception, ISO 8601 "compact" (absent without GPS or NTP time). */
  time?: string;
  /** Concentrator counter at "RX finished", microseconds, 32-bit unsigned. */
  tmst?: number;
  /** Centre frequency, MHz. */
  freq?: number;
  chan?: number;
  rfch?: number;
  /** CRC status: 1 OK, -1 failed, 0 no CRC. */
  stat?: number;
  modu?: string;
  /** "SF7BW125" for LoRa, bits per second (a number) for FSK. */
  datr?: string | number;
  codr?: string;
  /** dBm. */
  rssi?: number;
  /** dB. */
  lsnr?: number;
  /** PHYPayload size in bytes. */
  size?: number;
  /** Base64 PHYPayload, padded. */
  data: string;
}

/**
 * The rxpk a packet forwarder reports for a LoRa frame it heard (EU868, CRC good), `fields`
 * overriding: for the simulator and the tests, which speak as gateways do.
 */
export function loraRxpk(phy: Buffer, fields: Partial<Rxpk> = {}): Rxpk {
  return {
    freq: 868.1,
    chan: 0,
    rfch: 0,
    stat: 1,
    modu: "LORA",
    datr: "SF7BW125",
    codr: "4/5",
    size: phy.length,
    data: phy.toString("base64"),
    ...fields,
  };
}

/** Gateway status (PROTOCOL.TXT section 4, "stat" object). */
export interface GatewayStat {
  /** Gateway system time, ISO 8601 "expanded" ("2014-01-12 08:59:28 GMT"). */
  time?: string;
  lati?: number;
  long?: number;
  alti?: number;
  rxnb?: number;
  rxok?: number;
  rxfw?: number;
  /** Percentage of upstream datagrams acknowledged. */
  ackr?: number;
  dwnb?: number;
  txnb?: number;
}

export interface PushDataBody {
  rxpk?: Rxpk[];
  stat?: GatewayStat;
}

export type GwmpPacket =
  | { type: "PUSH_DATA"; token: number; gatewayEui: string; body: PushDataBody }
  | { type: "PUSH_ACK"; token: number }
  | { type: "PULL_DATA"; token: number; gatewayEui: string }
  | { type: "PULL_RESP"; token: number; body: Record<string, unknown> }
  | { type: "PULL_ACK"; token: number }
  | { type: "TX_ACK"; token: number; gatewayEui: string; body?: Record<string, unknown> };

export interface GwmpProblem {
  code: DataCode;
  detail: string;
  /** What could be read before the problem, so the problem can be attributed. */
  token?: number;
  gatewayEui?: string;
  type?: PacketTypeName;
}

export type GwmpParseResult = { ok: true; packet: GwmpPacket } | { ok: false; problem: GwmpProblem };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads one datagram. */
export function parseGwmp(datagram: Buffer): GwmpParseResult {
  if (datagram.length < HEADER_LENGTH) {
    return fail(DataCode.DECODE_LENGTH, `${datagram.length} bytes, a GWMP header has ${HEADER_LENGTH}`);
  }
  if (datagram[0] !== GWMP_VERSION) {
    return fail(DataCode.UDP_PROTOCOL, `protocol version ${datagram[0]}, expected ${GWMP_VERSION}`);
  }
  const token = datagram.readUInt16BE(1);
  const type = NAME_BY_ID.get(datagram[3] ?? -1);
  if (type === undefined) {
    return fail(DataCode.UDP_PROTOCOL, `unknown packet type 0x${hex2(datagram[3] ?? 0)}`, { token });
  }
  return parseByType(type, token, datagram);
}

function parseByType(type: PacketTypeName, token: number, datagram: Buffer): GwmpParseResult {
  switch (type) {
    case "PUSH_ACK":
    case "PULL_ACK":
      return { ok: true, packet: { type, token } };
    case "PULL_DATA":
      return parsePullData(token, datagram);
    case "PUSH_DATA":
      return parsePushData(token, datagram);
    case "PULL_RESP":
      return parsePullResp(token, datagram);
    case "TX_ACK":
      return parseTxAck(token, datagram);
  }
}

function parsePullData(token: number, datagram: Buffer): GwmpParseResult {
  if (datagram.length < EUI_HEADER_LENGTH) return tooShort("PULL_DATA", token, datagram, EUI_HEADER_LENGTH);
  return { ok: true, packet: { type: "PULL_DATA", token, gatewayEui: readEui(datagram) } };
}

function parsePushData(token: number, datagram: Buffer): GwmpParseResult {
  const min = EUI_HEADER_LENGTH + MIN_JSON;
  if (datagram.length < min) return tooShort("PUSH_DATA", token, datagram, min);
  const gatewayEui = readEui(datagram);
  const context = { token, gatewayEui, type: "PUSH_DATA" as const };
  const json = parseJsonObject(datagram.subarray(EUI_HEADER_LENGTH));
  if (!json.ok) return fail(json.code, json.detail, context);
  const body = readPushBody(json.value);
  if (typeof body === "string") return fail(DataCode.PAYLOAD_SHAPE, body, context);
  return { ok: true, packet: { type: "PUSH_DATA", token, gatewayEui, body } };
}

function parsePullResp(token: number, datagram: Buffer): GwmpParseResult {
  const min = HEADER_LENGTH + MIN_JSON;
  if (datagram.length < min) return tooShort("PULL_RESP", token, datagram, min);
  const json = parseJsonObject(datagram.subarray(HEADER_LENGTH));
  if (!json.ok) return fail(json.code, json.detail, { token, type: "PULL_RESP" });
  return { ok: true, packet: { type: "PULL_RESP", token, body: json.value } };
}

/** TX_ACK: the JSON part is optional; none means "no error" (PROTOCOL.TXT 5.5). */
function parseTxAck(token: number, datagram: Buffer): GwmpParseResult {
  if (datagram.length < EUI_HEADER_LENGTH) return tooShort("TX_ACK", token, datagram, EUI_HEADER_LENGTH);
  const gatewayEui = readEui(datagram);
  const rest = trimNul(datagram.subarray(EUI_HEADER_LENGTH));
  if (rest.length === 0) return { ok: true, packet: { type: "TX_ACK", token, gatewayEui } };
  const json = parseJsonObject(rest);
  if (!json.ok) return fail(json.code, json.detail, { token, gatewayEui, type: "TX_ACK" });
  return { ok: true, packet: { type: "TX_ACK", token, gatewayEui, body: json.value } };
}

type JsonResult = { ok: true; value: Obj } | { ok: false; code: DataCode; detail: string };

/** Some forwarders end the JSON with NUL bytes (C strings): those are not part of the object. */
function parseJsonObject(bytes: Buffer): JsonResult {
  const parsed = parseBoundedJson(trimNul(bytes));
  if (!parsed.ok) return { ok: false, code: parsed.problem.code as DataCode, detail: parsed.problem.detail };
  const value = parsed.value;
  if (!isObj(value)) return { ok: false, code: DataCode.PAYLOAD_JSON, detail: "JSON is not an object" };
  return { ok: true, value };
}

/** Checks the shape of section 4's root object; returns the reason as a string when it is wrong. */
function readPushBody(root: Obj): PushDataBody | string {
  const body: PushDataBody = {};
  if (root.rxpk !== undefined) {
    if (!Array.isArray(root.rxpk)) return "rxpk is not an array";
    const bad = root.rxpk.findIndex((p) => !isObj(p) || typeof p.data !== "string");
    if (bad >= 0) return `rxpk[${bad}] is not an object with a string "data"`;
    body.rxpk = root.rxpk as Rxpk[];
  }
  if (root.stat !== undefined) {
    if (!isObj(root.stat)) return "stat is not an object";
    body.stat = root.stat as GatewayStat;
  }
  return body;
}

function readEui(datagram: Buffer): string {
  return datagram.subarray(HEADER_LENGTH, EUI_HEADER_LENGTH).toString("hex");
}

function trimNul(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

function tooShort(type: PacketTypeName, token: number, datagram: Buffer, min: number): GwmpParseResult {
  const gatewayEui = datagram.length >= EUI_HEADER_LENGTH ? readEui(datagram) : undefined;
  return fail(DataCode.DECODE_LENGTH, `${type} of ${datagram.length} bytes, at least ${min} expected`, {
    token,
    type,
    ...(gatewayEui === undefined ? {} : { gatewayEui }),
  });
}

function fail(code: DataCode, detail: string, context: Omit<GwmpProblem, "code" | "detail"> = {}) {
  return { ok: false as const, problem: { code, detail, ...context } };
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

// ---------------------------------------------------------------------------------------------
// Building datagrams (the server's answers, and the gateway's side for tests and simulators)

/** Writes one datagram. The EUI is 16 hex characters. */
export function buildGwmp(packet: GwmpPacket): Buffer {
  const header = Buffer.from([GWMP_VERSION, 0, 0, PacketType[packet.type]]);
  header.writeUInt16BE(packet.token & 0xffff, 1);
  switch (packet.type) {
    case "PUSH_ACK":
    case "PULL_ACK":
      return header;
    case "PULL_DATA":
      return Buffer.concat([header, euiBytes(packet.gatewayEui)]);
    case "PUSH_DATA":
      return Buffer.concat([header, euiBytes(packet.gatewayEui), jsonBytes(packet.body)]);
    case "PULL_RESP":
      return Buffer.concat([header, jsonBytes(packet.body)]);
    case "TX_ACK":
      return Buffer.concat([header, euiBytes(packet.gatewayEui), jsonBytes(packet.body)]);
  }
}

/** The acknowledgement the server owes: PUSH_ACK for PUSH_DATA, PULL_ACK for PULL_DATA, same token. */
export function ackFor(packet: GwmpPacket): Buffer | undefined {
  if (packet.type === "PUSH_DATA") return buildGwmp({ type: "PUSH_ACK", token: packet.token });
  if (packet.type === "PULL_DATA") return buildGwmp({ type: "PULL_ACK", token: packet.token });
  return undefined;
}

function euiBytes(eui: string): Buffer {
  const bytes = Buffer.from(eui, "hex");
  if (bytes.length !== 8) throw new RangeError(`gateway EUI must be 16 hex characters, got "${eui}"`);
  return bytes;
}

function jsonBytes(body: object | undefined): Buffer {
  return body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), "utf8");
}

// ---------------------------------------------------------------------------------------------
// From rxpk to frames

/** One RF packet of a PUSH_DATA, its PHYPayload decoded from base64. */
export interface RxFrame {
  /** Position in the datagram's rxpk array (for problem paths). */
  index: number;
  phyPayload: Buffer;
  rxpk: Rxpk;
}

export interface RxpkProblem {
  index: number;
  code: DataCode;
  detail: string;
  /** The rxpk's `data` as received, for the quarantine. */
  raw: string;
}

/** Outcome for each rxpk of a PUSH_DATA: decoded frames, packets dropped by CRC, problems. */
export interface RxpkDecoding {
  frames: RxFrame[];
  /** rxpk with a failed radio CRC (stat -1): radio noise, not data, so only counted. */
  crcErrors: number;
  problems: RxpkProblem[];
}

export function decodeRxpks(rxpks: readonly Rxpk[]): RxpkDecoding {
  const out: RxpkDecoding = { frames: [], crcErrors: 0, problems: [] };
  rxpks.forEach((rxpk, index) => {
    if (rxpk.stat === -1) {
      out.crcErrors++;
      return;
    }
    const decoded = decodeRxpkData(rxpk);
    if (decoded.ok) out.frames.push({ index, phyPayload: decoded.bytes, rxpk });
    else out.problems.push({ index, code: decoded.code, detail: decoded.detail, raw: rxpk.data });
  });
  return out;
}

/** The LoRa physical layer carries at most 255 bytes (LoRaWAN Regional Parameters, M = 250 + 5). */
export const MAX_PHY_PAYLOAD = 255;
const MAX_PHY_BASE64 = Math.ceil(MAX_PHY_PAYLOAD / 3) * 4;

/** Standard alphabet (RFC 4648 section 4), padding optional although PROTOCOL.TXT says "padded". */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeRxpkData(
  rxpk: Pick<Rxpk, "data" | "size">,
): { ok: true; bytes: Buffer } | { ok: false; code: DataCode; detail: string } {
  const text = rxpk.data;
  const unpadded = text.replace(/=+$/, "");
  const padded = unpadded.length !== text.length;
  if (!BASE64.test(text) || unpadded.length % 4 === 1 || (padded && text.length % 4 !== 0)) {
    return { ok: false, code: DataCode.PAYLOAD_BASE64, detail: "rxpk data is not base64" };
  }
  // Checked on the text first, so that a hostile datagram costs no decoding.
  if (unpadded.length > MAX_PHY_BASE64) {
    const detail = `rxpk data of ${Math.floor((unpadded.length * 3) / 4)} bytes, a LoRa PHYPayload has at most ${MAX_PHY_PAYLOAD}`;
    return { ok: false, code: DataCode.PAYLOAD_TOO_LARGE, detail };
  }
  const bytes = Buffer.from(text, "base64");
  // `size` is what the radio received: fewer bytes in `data` means a cut packet.
  if (typeof rxpk.size === "number" && rxpk.size !== bytes.length) {
    return {
      ok: false,
      code: DataCode.DECODE_LENGTH,
      detail: `size ${rxpk.size}, data ${bytes.length} bytes`,
    };
  }
  return { ok: true, bytes };
}
