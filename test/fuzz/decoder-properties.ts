import fc, { type Arbitrary } from "fast-check";
import { mapCodecData } from "../../gateway/codecs/mapping.ts";
import { decodeRxpks, parseGwmp } from "../../gateway/lorawan/gwmp.ts";
import { AbpSession, SessionTable } from "../../gateway/lorawan/session.ts";
import { processUplink } from "../../gateway/lorawan/uplink.ts";
import { DEFAULT_JSON_LIMITS, parseBoundedJson } from "../../gateway/pipeline/bounded-json.ts";
import { type DecodeResult, decodeJsonPayload } from "../../gateway/pipeline/decode.ts";
import { decodeProtobufPayload } from "../../gateway/pipeline/decode-protobuf.ts";
import { readStatusEvent, readUplinkEvent } from "../../gateway/sources/chirpstack-events.ts";
import { createSparkplugSession } from "../../gateway/sparkplug/session.ts";
import type { Device } from "../../services/domain/types.ts";
import { demoAbpKeys } from "../../territory/ccphva/demo-secrets.ts";
import { randomBytes } from "./arbitraries.ts";
import { check, isCatalogued } from "./checks.ts";
import {
  chirpstackEventArb,
  datagramArb,
  jsonPayloadArb,
  operatorArb,
  protobufPayloadArb,
  sparkplugSessionArb,
  ttsBodyArb,
} from "./inputs.ts";

/**
 * The decoders alone, without sockets, many times faster than through the platform: whatever
 * the bytes, each returns a value (never throws), every refusal carries a code of the catalogue,
 * and what a decoder hands on stays within the bounds of every JSON input (services and stores
 * after it walk values recursively).
 */
export interface DecoderProperty {
  name: string;
  property: fc.IPropertyWithHooks<[unknown]>;
}

const RECEIVED = Date.now();

function codes(result: DecodeResult): string[] {
  return result.ok ? result.items.flatMap((i) => i.problems.map((p) => p.code)) : [result.problem.code];
}

function checkDecoded(result: DecodeResult, what: string): void {
  const stray = codes(result).find((c) => !isCatalogued(c));
  check(stray === undefined, () => `${what}: code ${stray} is not in the catalogue`);
  if (!result.ok) return;
  for (const item of result.items) {
    check(
      item.reading !== undefined || item.problems.length > 0,
      () => `${what}: item ${item.index} has neither reading nor problem`,
    );
    if (item.reading)
      check(
        withinJsonLimits(item.reading.data),
        () => `${what}: item ${item.index} hands on data past the JSON limits`,
      );
  }
}

/** Nesting, keys, array lengths and string lengths within what `parseBoundedJson` lets through. */
export function withinJsonLimits(value: unknown): boolean {
  const limits = DEFAULT_JSON_LIMITS;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === "string") {
      if (v.length > limits.maxString) return false;
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > limits.maxDepth) return false;
    const children = Array.isArray(v) ? v : Object.values(v);
    if (Array.isArray(v) ? v.length > limits.maxArray : children.length > limits.maxKeys) return false;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return true;
}

/** The demo's ABP pressure sensors with their clear keys (the platform holds them sealed). */
function demoSessions(): SessionTable {
  return new SessionTable(
    Array.from({ length: 8 }, (_, i) => {
      const deviceId = `pre-54521-00${i + 1}`;
      return new AbpSession({ deviceId, devAddr: `260b000${i + 1}`, ...demoAbpKeys(deviceId) });
    }),
  );
}

const CONTAINER: Device = {
  id: "pav-54521-001",
  domain: "waste_container",
  contractId: "ccphva-waste-container",
  ownerId: "ccphva",
  commune: "54521",
  lat: 49.47,
  lon: 5.9,
  attributes: { codec: "milesight-em310-udl", depth_mm: 2100 },
  assignments: [{ operatorId: "collecte-nord", from: 0 }],
};

function property<T>(name: string, arb: Arbitrary<T>, predicate: (value: T) => void): DecoderProperty {
  return { name, property: fc.property(arb as Arbitrary<unknown>, (v) => predicate(v as T)) };
}

export const DECODER_PROPERTIES: readonly DecoderProperty[] = [
  property("bounded JSON", fc.oneof(operatorArb.chain(jsonPayloadArb), ttsBodyArb, randomBytes), (bytes) => {
    const parsed = parseBoundedJson(bytes);
    if (parsed.ok)
      check(withinJsonLimits(parsed.value), () => "parseBoundedJson let through a value past its limits");
    else check(isCatalogued(parsed.problem.code), () => `parseBoundedJson: ${parsed.problem.code}`);
  }),
  property(
    "JSON readings",
    operatorArb.chain((op) =>
      fc.tuple(jsonPayloadArb(op), fc.option(fc.constantFrom("lum-57038-0001", "x"), { nil: undefined })),
    ),
    ([bytes, device]) => {
      const context = { receivedAt: RECEIVED, ...(device !== undefined ? { deviceId: device } : {}) };
      checkDecoded(decodeJsonPayload(bytes, context), "decodeJsonPayload");
    },
  ),
  property("protobuf envelope", operatorArb.chain(protobufPayloadArb), (bytes) => {
    checkDecoded(decodeProtobufPayload(bytes, { receivedAt: RECEIVED }), "decodeProtobufPayload");
  }),
  property("GWMP and LoRaWAN frames", datagramArb, (datagram) => {
    const parsed = parseGwmp(datagram);
    if (!parsed.ok) {
      check(isCatalogued(parsed.problem.code), () => `parseGwmp: ${parsed.problem.code}`);
      return;
    }
    if (parsed.packet.type !== "PUSH_DATA") return;
    const decoding = decodeRxpks(parsed.packet.body.rxpk ?? []);
    for (const p of decoding.problems) check(isCatalogued(p.code), () => `decodeRxpks: ${p.code}`);
    const sessions = demoSessions();
    for (const frame of decoding.frames) {
      const r = processUplink(frame.phyPayload, sessions);
      if (!r.ok) check(isCatalogued(r.code), () => `processUplink: ${r.code}`);
    }
  }),
  property("Sparkplug B sessions", operatorArb.chain(sparkplugSessionArb), (messages) => {
    const session = createSparkplugSession();
    for (const m of messages) {
      const r = session.handle(m.topic, m.payload, RECEIVED);
      for (const p of r.problems) check(isCatalogued(p.code), () => `Sparkplug: ${p.code}`);
      for (const reading of r.readings) {
        const kinds = Object.values(reading.data).map((v) => typeof v);
        check(
          kinds.every((k) => k === "number" || k === "string" || k === "boolean"),
          () => `Sparkplug hands on ${kinds}`,
        );
      }
    }
  }),
  property("ChirpStack events", chirpstackEventArb, (e) => {
    const read = e.kind === "up" ? readUplinkEvent(e.payload) : readStatusEvent(e.payload);
    if (!read.ok) {
      check(isCatalogued(read.violation.code), () => `ChirpStack: ${read.violation.code}`);
      return;
    }
    if ("object" in read.value && read.value.object !== undefined) {
      const object = read.value.object;
      check(withinJsonLimits(object), () => "a ChirpStack event hands on an object past the JSON limits");
      mapCodecData("milesight-em310-udl", object, CONTAINER);
    }
  }),
];
