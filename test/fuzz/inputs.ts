import integration from "@chirpstack/chirpstack-api/integration/integration_pb.js";
import fc, { type Arbitrary } from "fast-check";
import timestampPb from "google-protobuf/google/protobuf/timestamp_pb.js";
import sparkplugProto from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { buildGwmp, type GatewayStat, type Rxpk } from "../../gateway/lorawan/gwmp.ts";
import { lanterne } from "../../protos/generated/lanterne.js";
import { demoAbpKeys } from "../../territory/ccphva/demo-secrets.ts";
import { rxpk as gatewayRxpk } from "../helpers/gwmp.ts";
import {
  arr,
  EDGE_NUMBERS,
  edgeNumber,
  edgeString,
  hostileValue,
  INJECTIONS,
  type JsonNode,
  jsonText,
  keyString,
  NANISH_TEXTS,
  num,
  numberNode,
  obj,
  PROTO_KEYS,
  payloadsAround,
  raw,
  smallNode,
  str,
} from "./arbitraries.ts";

/**
 * What each source receives, valid and hostile, for the demo territory: readings of its real
 * devices (so that valid payloads reach the contract check and the store), the protobuf envelope,
 * Sparkplug B sequences (NBIRTH, DBIRTH, DDATA: state to reach), ChirpStack and The Things Stack
 * events of its LoRaWAN containers, GWMP datagrams carrying frames encrypted with its ABP
 * devices' keys. Each arbitrary draws a structured variation, and `payloadsAround` adds the same
 * payloads mutated, cut short and replaced by hostile JSON or random bytes.
 */

export type OperatorId = "lumiere-est" | "eaux-alzette" | "collecte-nord";
export const OPERATORS: readonly OperatorId[] = ["lumiere-est", "eaux-alzette", "collecte-nord"];

/** A few devices of each operator, the fields of their contract and a valid reading's data. */
const FLEET: Readonly<
  Record<OperatorId, { devices: string[]; fields: string[]; valid: () => Array<[string, JsonNode]> }>
> = {
  "lumiere-est": {
    devices: ["lum-57038-0001", "lum-54521-0001"],
    fields: ["power_state", "status", "illuminance_level", "active_power_w", "energy_kwh", "presence_count"],
    valid: () => [
      ["power_state", str("on")],
      ["status", str("ok")],
      ["active_power_w", num(48.5)],
    ],
  },
  "eaux-alzette": {
    devices: ["pre-57041-001", "pre-54521-001"],
    fields: ["pressure_bar", "flow_m3h", "battery_level"],
    valid: () => [["pressure_bar", num(2.5)]],
  },
  "collecte-nord": {
    devices: ["pav-54521-001", "pav-54521-002"],
    fields: ["filling_level", "temperature_c", "status", "battery_level"],
    valid: () => [["filling_level", num(0.4)]],
  },
};

const ALL_DEVICES = OPERATORS.flatMap((o) => FLEET[o].devices);
const ALL_FIELDS = [...new Set(OPERATORS.flatMap((o) => FLEET[o].fields))];
const ENUM_VALUES = ["on", "off", "low", "bootingUp", "ok", "defectiveLamp", "lidOpen", "unknown"];

export const operatorArb: Arbitrary<OperatorId> = fc.constantFrom(...OPERATORS);

/** A device id: the operator's own, another's (not assigned), unknown, hostile. */
export function deviceIdArb(operator: OperatorId): Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...FLEET[operator].devices) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_DEVICES) },
    { weight: 2, arbitrary: edgeString },
    { weight: 1, arbitrary: fc.constantFrom("", "x".repeat(129), "lum-57038-0001 ", "LUM-57038-0001") },
  );
}

/** A device id that can stand as one MQTT topic level (no separator, no wildcard, no NUL). */
export function topicLevelArb(operator: OperatorId): Arbitrary<string> {
  return deviceIdArb(operator)
    .map((id) => id.replace(/[/+#]/g, "_").replaceAll("\u0000", "_"))
    .filter((id) => id.length > 0);
}

// --- JSON readings ---------------------------------------------------------------------------

const timeNode: Arbitrary<JsonNode> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(str(new Date().toISOString())) },
  { weight: 3, arbitrary: numberNode },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        "2026-02-30T25:61:00Z",
        "+275760-09-13T00:00:00.000Z",
        "+275760-09-13T00:00:00.001Z",
        "-271821-04-20T00:00:00.000Z",
        "1969-12-31T23:59:59.999Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "2026-11-23",
        "2026-11-23T10:00:00+14:00",
        "now",
        "",
      )
      .map(str),
  },
  { weight: 1, arbitrary: edgeString.map(str) },
  { weight: 1, arbitrary: smallNode },
);

function dataNode(operator: OperatorId): Arbitrary<JsonNode> {
  const { fields } = FLEET[operator];
  const value = fc.oneof(
    { weight: 3, arbitrary: numberNode },
    { weight: 2, arbitrary: fc.constantFrom(...ENUM_VALUES).map(str) },
    { weight: 1, arbitrary: smallNode },
  );
  const entry = fc.tuple(keyString([...fields, ...fields, ...ALL_FIELDS]), hostileValue(value));
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .array(entry, { maxLength: 8 })
        .map((extra) => obj([...FLEET[operator].valid(), ...extra])),
    },
    { weight: 2, arbitrary: fc.array(entry, { maxLength: 8 }).map(obj) },
    { weight: 1, arbitrary: hostileValue(smallNode) },
  );
}

/** One reading object, its keys in any order, some missing, some doubled, prototype keys added. */
export function readingNode(operator: OperatorId): Arbitrary<JsonNode> {
  const device = fc.oneof(
    { weight: 6, arbitrary: deviceIdArb(operator).map(str) },
    { weight: 1, arbitrary: smallNode },
  );
  return fc
    .tuple(
      fc.option(device, { freq: 8, nil: undefined }),
      fc.option(timeNode, { freq: 2, nil: undefined }),
      fc.option(dataNode(operator), { freq: 10, nil: undefined }),
      fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS, "device", "time", "data", "readings"), smallNode), {
        maxLength: 2,
      }),
    )
    .map(([d, t, data, extra]) => {
      const entries: Array<[string, JsonNode]> = [];
      if (d !== undefined) entries.push(["device", d]);
      if (t !== undefined) entries.push(["time", t]);
      if (data !== undefined) entries.push(["data", data]);
      return obj([...entries, ...extra]);
    });
}

/** One reading, a batch `{readings: [...]}` or a bare array, sometimes over the batch limit. */
export function documentNode(operator: OperatorId): Arbitrary<JsonNode> {
  const reading = readingNode(operator);
  return fc.oneof(
    { weight: 6, arbitrary: reading },
    {
      weight: 3,
      arbitrary: fc.array(reading, { maxLength: 6 }).map((items) => obj([["readings", arr(items)]])),
    },
    { weight: 1, arbitrary: fc.array(reading, { maxLength: 4 }).map(arr) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 995, max: 1005 })
        .map((n) => obj([["readings", raw(`[${Array(n).fill('{"data":{}}').join(",")}]`)]])),
    },
  );
}

/** A valid reading of one of the operator's devices, as text. */
export function validReadingBytes(operator: OperatorId): Arbitrary<Buffer> {
  return fc.constantFrom(...FLEET[operator].devices).map((device) =>
    Buffer.from(
      jsonText(
        obj([
          ["device", str(device)],
          ["time", str(new Date().toISOString())],
          ["data", obj(FLEET[operator].valid())],
        ]),
      ),
    ),
  );
}

/** JSON payloads for `lanterne/{operator}/...readings` and `POST /api/v1/readings`. */
export function jsonPayloadArb(operator: OperatorId): Arbitrary<Buffer> {
  const structured = documentNode(operator).map((n) => Buffer.from(jsonText(n)));
  return payloadsAround(validReadingBytes(operator), structured, { json: true });
}

// --- the protobuf envelope -------------------------------------------------------------------

type PbValue = lanterne.v1.Value.$Properties;
type PbReading = lanterne.v1.Reading.$Properties;

const pbValue: Arbitrary<PbValue> = fc.oneof(
  { weight: 3, arbitrary: edgeNumber.map((n) => ({ number: n })) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity).map((n) => ({ number: n })) },
  { weight: 2, arbitrary: fc.oneof(edgeString, fc.constantFrom(...ENUM_VALUES)).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.boolean().map((flag) => ({ flag })) },
  { weight: 1, arbitrary: fc.constant({}) },
);

const pbTime = fc.record({
  seconds: fc.oneof(
    fc.constant(Math.floor(Date.now() / 1000)),
    fc.constantFrom(...EDGE_NUMBERS).map((n) => Math.trunc(n)),
    fc.constantFrom(-62_135_596_801, 253_402_300_800, 253_402_300_799),
  ),
  nanos: fc.oneof(fc.constantFrom(0, 999_999_999, 1_000_000_000, -1), fc.integer()),
});

function pbReading(operator: OperatorId): Arbitrary<PbReading> {
  const { fields } = FLEET[operator];
  return fc.record(
    {
      device: deviceIdArb(operator),
      time: pbTime,
      data: fc
        .array(fc.tuple(keyString([...fields, ...fields]), pbValue), { maxLength: 6 })
        .map((entries) => Object.fromEntries(entries)),
    },
    { requiredKeys: ["data"] },
  );
}

function encodeReadings(readings: PbReading[]): Buffer {
  return Buffer.from(lanterne.v1.Readings.encode({ readings }).finish());
}

function validEnvelope(operator: OperatorId): Arbitrary<Buffer> {
  return fc.constantFrom(...FLEET[operator].devices).map((device) =>
    encodeReadings([
      {
        device,
        time: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
        data:
          operator === "lumiere-est"
            ? { power_state: { text: "on" }, status: { text: "ok" }, active_power_w: { number: 40 } }
            : operator === "eaux-alzette"
              ? { pressure_bar: { number: 2.5 } }
              : { filling_level: { number: 0.4 } },
      },
    ]),
  );
}

/** Protobuf payloads for the `/pb` topics and `Content-Type: application/x-protobuf`. */
export function protobufPayloadArb(operator: OperatorId): Arbitrary<Buffer> {
  const structured = fc.array(pbReading(operator), { maxLength: 5 }).map(encodeReadings);
  return payloadsAround(validEnvelope(operator), structured, { json: false });
}

// --- Sparkplug B -----------------------------------------------------------------------------

const SparkplugPayload = sparkplugProto.org.eclipse.tahu.protobuf.Payload;

/** Sparkplug 3.0.0 §6.4.16 data types, and codes outside them. */
const DATATYPES = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 34, 35, 4096,
];

type SpValue = Record<string, unknown>;
const spValue: Arbitrary<SpValue> = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((v) => ({ intValue: v })),
  fc
    .oneof(
      fc.constantFrom("0", "1", "9007199254740993", "18446744073709551615", "9223372036854775808"),
      fc.nat().map(String),
    )
    .map((v) => ({ longValue: v })),
  edgeNumber.map((v) => ({ floatValue: v })),
  fc.oneof(edgeNumber, fc.constantFrom(Number.NaN, Infinity)).map((v) => ({ doubleValue: v })),
  fc.boolean().map((v) => ({ booleanValue: v })),
  fc.oneof(edgeString, fc.constantFrom(...ENUM_VALUES)).map((v) => ({ stringValue: v })),
  fc.uint8Array({ maxLength: 8 }).map((v) => ({ bytesValue: v })),
  fc.constant({}),
);

const uint64Text = fc.oneof(
  fc.nat({ max: 20 }).map(String),
  fc.constantFrom(String(Date.now()), "18446744073709551615", "8640000000000001", "9007199254740993"),
);

function spMetric(names: readonly string[]): Arbitrary<SpValue> {
  return fc
    .tuple(
      fc.record(
        {
          name: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...names) },
            {
              weight: 1,
              arbitrary: fc.constantFrom("bdSeq", "Node Control/Rebirth", " ", "/", "-", ...PROTO_KEYS),
            },
            { weight: 1, arbitrary: edgeString },
          ),
          alias: fc.nat({ max: 8 }).map(String),
          timestamp: uint64Text,
          datatype: fc.constantFrom(...DATATYPES),
          isNull: fc.boolean(),
          isTransient: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      spValue,
    )
    .map(([fields, value]) => ({ ...fields, ...value }));
}

function withoutKeys(value: SpValue, keys: readonly string[]): SpValue {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

function encodeSparkplug(payload: SpValue): Buffer {
  return Buffer.from(SparkplugPayload.encode(payload as never).finish());
}

/** One message of an edge node's session: its topic and payload. */
export interface SparkplugMessage {
  topic: string;
  payload: Buffer;
}

const MESSAGE_TYPES = ["NBIRTH", "NDATA", "NDEATH", "DBIRTH", "DDATA", "DDEATH", "NCMD", "DCMD"];

/**
 * A short session of one edge node of the operator's group: mostly the order a node follows
 * (NBIRTH, DBIRTH, DDATA...) so that data reaches the contract check, with types, seqs and
 * payloads drawn and mutated; edge node and device names from a small set, and hostile ones.
 */
export function sparkplugSessionArb(operator: OperatorId): Arbitrary<SparkplugMessage[]> {
  const { fields, devices } = FLEET[operator];
  const node = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("armoire-01", "armoire-02") },
    { weight: 1, arbitrary: topicLevelArb(operator) },
  );
  const device = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...devices) },
    { weight: 1, arbitrary: topicLevelArb(operator) },
  );
  const type = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...MESSAGE_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom("STATE", "NFOO", "", "ddata") },
  );
  const body = fc.record(
    {
      timestamp: uint64Text,
      seq: fc.oneof(fc.nat({ max: 300 }).map(String), uint64Text),
      metrics: fc.array(spMetric(fields), { maxLength: 6 }),
    },
    { requiredKeys: ["metrics"] },
  );
  const message = fc
    .tuple(type, node, device, fc.boolean(), body)
    .map(([t, n, d, extraLevel, b]): SparkplugMessage => {
      const deviceLevel = t.startsWith("D") ? `/${d}` : "";
      const topic = `spBv1.0/${operator}/${t}/${n}${deviceLevel}${extraLevel && t === "" ? "/x" : ""}`;
      return { topic, payload: encodeSparkplug(b) };
    });
  const scripted = fc
    .tuple(node, device, fc.array(spMetric(fields), { minLength: 1, maxLength: 4 }))
    .map(([n, d, metrics]): SparkplugMessage[] => {
      const base = `spBv1.0/${operator}`;
      const now = String(Date.now());
      const declared = metrics.map((m, i) => ({ ...m, alias: String(i + 1) }));
      return [
        {
          topic: `${base}/NBIRTH/${n}`,
          payload: encodeSparkplug({
            timestamp: now,
            seq: "0",
            metrics: [{ name: "bdSeq", datatype: 8, longValue: "0" }],
          }),
        },
        {
          topic: `${base}/DBIRTH/${n}/${d}`,
          payload: encodeSparkplug({ timestamp: now, seq: "1", metrics: declared }),
        },
        {
          topic: `${base}/DDATA/${n}/${d}`,
          payload: encodeSparkplug({
            timestamp: now,
            seq: "2",
            // DATA metrics carry the alias only (tck-id-payloads-alias-data-cmd-requirement).
            metrics: declared.map((m) => withoutKeys(m, ["name", "datatype"])),
          }),
        },
      ];
    });
  const mutatedPayloads = fc
    .tuple(
      scripted,
      fc.array(fc.tuple(fc.nat({ max: 2 }), fc.constantFrom("flip", "cut")), { maxLength: 2 }),
      fc.nat(),
    )
    .map(([messages, edits, seed]) =>
      messages.map((m, i) => {
        const edit = edits.find(([at]) => at === i);
        if (!edit) return m;
        const bytes = Buffer.from(m.payload);
        if (bytes.length === 0) return m;
        if (edit[1] === "cut") return { ...m, payload: bytes.subarray(0, seed % bytes.length) };
        const at = seed % bytes.length;
        bytes[at] = (bytes[at] ?? 0) ^ (1 << (seed % 8));
        return { ...m, payload: bytes };
      }),
    );
  return fc.oneof(
    { weight: 3, arbitrary: scripted },
    { weight: 3, arbitrary: mutatedPayloads },
    { weight: 3, arbitrary: fc.array(message, { minLength: 1, maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          node,
          fc.constantFrom(...MESSAGE_TYPES),
          payloadsAround(fc.constant(encodeSparkplug({ metrics: [] })), randomPayload(), { json: false }),
        )
        .map(([n, t, payload]) => [
          { topic: `spBv1.0/${operator}/${t}/${n}${t.startsWith("D") ? `/${devices[0]}` : ""}`, payload },
        ]),
    },
  );
}

function randomPayload(): Arbitrary<Buffer> {
  return fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
}

// --- LoRaWAN network servers ---------------------------------------------------------------

/** The demo's containers on The Things Stack and ChirpStack: DevEUI, codec input on fPort 85. */
export const CONTAINER_EUIS = ["24e1245452110001", "24e1245452110002"];
/** Milesight EM310-UDL: battery 92 %, distance 1050 mm, position normal. */
export const EM310_BYTES = Buffer.from("01755C03821A04040000", "hex");

const euiArb: Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CONTAINER_EUIS, CONTAINER_EUIS[0]?.toUpperCase() ?? "") },
  { weight: 1, arbitrary: fc.constantFrom("24e1245452120001", "0000000000000000", "", "zz") },
  { weight: 1, arbitrary: edgeString },
);

const base64Arb: Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(EM310_BYTES.toString("base64")) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("base64")) },
  { weight: 1, arbitrary: fc.constantFrom("", "====", "AXVcA4JECAQAAQ", "not base64!", "A", "AA=A") },
  { weight: 1, arbitrary: edgeString },
);

/** A decoded object, as the network server's codec would give, in vendor or contract names. */
const decodedObject: Arbitrary<JsonNode> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          keyString(["distance", "battery", "position", "filling_level", "status", "temperature_c"]),
          hostileValue(fc.oneof(numberNode, fc.constantFrom("normal", "tilt", "ok").map(str), smallNode)),
        ),
        { maxLength: 6 },
      )
      .map(obj),
  },
  { weight: 1, arbitrary: hostileValue(smallNode) },
);

const fPortNode: Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(num(85)) },
  { weight: 2, arbitrary: numberNode },
  { weight: 1, arbitrary: smallNode },
);

const isoNode: Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(str(new Date().toISOString())) },
  { weight: 2, arbitrary: timeNode },
);

function optional<T>(key: string, value: Arbitrary<T>): Arbitrary<Array<[string, T]>> {
  return fc.option(value, { freq: 6, nil: undefined }).map((v) => (v === undefined ? [] : [[key, v]]));
}

/** A The Things Stack v3 uplink message (webhook body). */
export const ttsUplinkNode: Arbitrary<JsonNode> = fc
  .tuple(
    optional(
      "end_device_ids",
      fc.oneof(
        {
          weight: 6,
          arbitrary: euiArb.map((e) =>
            obj([
              ["device_id", str("eui")],
              ["dev_eui", str(e)],
            ]),
          ),
        },
        { weight: 1, arbitrary: smallNode },
      ),
    ),
    optional("received_at", isoNode),
    optional(
      "uplink_message",
      fc.oneof(
        {
          weight: 8,
          arbitrary: fc
            .tuple(
              optional("f_port", fPortNode),
              optional("f_cnt", numberNode),
              optional("frm_payload", fc.oneof(base64Arb.map(str), smallNode)),
              fc.option(decodedObject, { freq: 3, nil: undefined }),
              optional("received_at", isoNode),
            )
            .map(([port, cnt, frm, decoded, at]) =>
              obj([
                ...port,
                ...cnt,
                ...frm,
                ...(decoded ? [["decoded_payload", decoded] as [string, JsonNode]] : []),
                ...at,
              ]),
            ),
        },
        { weight: 1, arbitrary: hostileValue(smallNode) },
      ),
    ),
  )
  .map(([ids, at, up]) => obj([...ids, ...at, ...up]));

function validTts(): Arbitrary<Buffer> {
  return fc.constantFrom(...CONTAINER_EUIS).map((eui) =>
    Buffer.from(
      JSON.stringify({
        end_device_ids: { device_id: "eui", dev_eui: eui },
        received_at: new Date().toISOString(),
        uplink_message: { f_port: 85, f_cnt: 1, frm_payload: EM310_BYTES.toString("base64") },
      }),
    ),
  );
}

/** Webhook bodies for `POST /api/v1/integrations/tts-collecte/uplink`. */
export const ttsBodyArb: Arbitrary<Buffer> = payloadsAround(
  validTts(),
  ttsUplinkNode.map((n) => Buffer.from(jsonText(n))),
  { json: true },
);

/** A ChirpStack event as ChirpStack publishes it: its topic's DevEUI and kind, and the payload. */
export interface ChirpstackEvent {
  kind: "up" | "status";
  topicEui: string;
  payload: Buffer;
}

const { Timestamp } = timestampPb;

/** A protobuf varint (base 128, least significant group first). */
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
/** A length-delimited field (wire type 2). */
const field = (num: number, bytes: Buffer) =>
  Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes]);

/**
 * A Struct `{"a": [[[...true...]]]}` nested `levels` deep, written byte by byte: the protobuf
 * library would recurse to build it. Lengths are computed from the inside out and the headers
 * joined once, so 20,000 levels cost a loop, not 20,000 copies.
 */
export function deepStruct(levels: number): Buffer {
  const inner = Buffer.from([0x20, 0x01]); // Value.bool_value (field 4, varint) = true
  const headers: Buffer[] = [];
  let length = inner.length;
  for (let i = 0; i < levels; i++) {
    // Value{list_value (6): ListValue{values (1): [value]}}
    for (const tag of [1, 6]) {
      const header = Buffer.concat([varint((tag << 3) | 2), varint(length)]);
      headers.push(header);
      length += header.length;
    }
  }
  const value = Buffer.concat([...headers.reverse(), inner]);
  return field(1, Buffer.concat([field(1, Buffer.from("a")), field(2, value)])); // Struct{fields: {a: value}}
}

function protobufUp(
  eui: string,
  fPort: number,
  data: Uint8Array,
  time: number | undefined,
  object: Buffer | undefined,
): Buffer {
  const e = new integration.UplinkEvent();
  const info = new integration.DeviceInfo();
  info.setDevEui(eui);
  info.setApplicationId("app1");
  e.setDeviceInfo(info);
  e.setFPort(fPort >>> 0);
  e.setData(data);
  if (time !== undefined) {
    const ts = new Timestamp();
    ts.setSeconds(Math.trunc(time / 1000));
    ts.setNanos(0);
    e.setTime(ts);
  }
  const bytes = Buffer.from(e.serializeBinary());
  return object ? Buffer.concat([bytes, field(11, object)]) : bytes;
}

function protobufStatus(eui: string, battery: number, margin: number, time: number | undefined): Buffer {
  const e = new integration.StatusEvent();
  const info = new integration.DeviceInfo();
  info.setDevEui(eui);
  e.setDeviceInfo(info);
  e.setMargin(Math.trunc(margin) | 0);
  if (time !== undefined) {
    const ts = new Timestamp();
    ts.setSeconds(Math.trunc(time / 1000));
    e.setTime(ts);
  }
  // battery_level (field 8, a 32-bit float) written by hand: google-protobuf's writer refuses
  // values past a float's range, a sender need not. The last value of a field wins.
  const battery32 = Buffer.alloc(5);
  battery32[0] = (8 << 3) | 5;
  battery32.writeFloatLE(battery, 1);
  return Buffer.concat([Buffer.from(e.serializeBinary()), battery32]);
}

const jsonUpNode: Arbitrary<JsonNode> = fc
  .tuple(
    optional("time", isoNode),
    optional(
      "deviceInfo",
      fc.oneof(
        {
          weight: 6,
          arbitrary: euiArb.map((e) =>
            obj([
              ["devEui", str(e)],
              ["applicationId", str("app1")],
            ]),
          ),
        },
        { weight: 1, arbitrary: smallNode },
      ),
    ),
    optional("fPort", fPortNode),
    optional("data", fc.oneof(base64Arb.map(str), smallNode)),
    fc.option(decodedObject, { freq: 3, nil: undefined }),
  )
  .map(([time, info, port, data, object]) =>
    obj([...time, ...info, ...port, ...data, ...(object ? [["object", object] as [string, JsonNode]] : [])]),
  );

const jsonStatusNode: Arbitrary<JsonNode> = fc
  .tuple(
    optional("time", isoNode),
    optional(
      "deviceInfo",
      euiArb.map((e) => obj([["devEui", str(e)]])),
    ),
    optional("batteryLevel", numberNode),
    optional("batteryLevelUnavailable", fc.constantFrom(raw("true"), raw("false"), str("yes"))),
    optional("margin", numberNode),
    optional("externalPowerSource", fc.constantFrom(raw("true"), raw("false"), raw("1"))),
  )
  .map((parts) => obj(parts.flat()));

/** A protobuf `float`: the values JSON cannot carry (NaN, infinities) come through it unharmed. */
const floatArb: Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 2, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e39, -1, 255) },
  { weight: 1, arbitrary: fc.float() },
);

const eventTime = fc.oneof(
  fc.constant(undefined),
  fc.constant(Date.now()),
  fc.constantFrom(...EDGE_NUMBERS).filter((n) => Math.abs(n) < 8e18),
);

const protobufUpArb: Arbitrary<Buffer> = fc
  .tuple(
    euiArb,
    fc.oneof(fc.constant(85), fc.nat({ max: 300 })),
    fc.oneof(fc.constant(new Uint8Array(EM310_BYTES)), fc.uint8Array({ maxLength: 32 })),
    eventTime,
    fc.option(fc.integer({ min: 1, max: 20_000 }).map(deepStruct), { freq: 4, nil: undefined }),
  )
  .map(([eui, port, data, time, object]) => protobufUp(eui, port, data, time, object));

/** ChirpStack events, JSON and protobuf marshalers, uplinks and statuses. */
export const chirpstackEventArb: Arbitrary<ChirpstackEvent> = fc
  .tuple(
    fc.constantFrom("up" as const, "status" as const),
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...CONTAINER_EUIS) },
      { weight: 1, arbitrary: fc.constantFrom("unknown", "ZZ") },
    ),
    fc.boolean(),
  )
  .chain(([kind, topicEui, protobuf]) => {
    const valid =
      kind === "up"
        ? fc.constant(protobufUp(topicEui, 85, EM310_BYTES, Date.now(), undefined))
        : fc.constant(protobufStatus(topicEui, 90, 7, Date.now()));
    const structured =
      kind === "up"
        ? protobuf
          ? protobufUpArb
          : jsonUpNode.map((n) => Buffer.from(jsonText(n)))
        : protobuf
          ? fc
              .tuple(euiArb, floatArb, fc.integer(), eventTime)
              .map(([e, b, m, t]) => protobufStatus(e, b, m, t))
          : jsonStatusNode.map((n) => Buffer.from(jsonText(n)));
    return payloadsAround(valid, structured, { json: !protobuf }).map((payload) => ({
      kind,
      topicEui,
      payload,
    }));
  });

// --- Semtech UDP -----------------------------------------------------------------------------

/** The demo's gateways (territory.yaml) and its ABP pressure sensors (lorawan-abp.yaml). */
export const GATEWAYS = ["aa555a0000054521", "aa555a0000054522"];
const ABP = Array.from({ length: 8 }, (_, i) => ({
  deviceId: `pre-54521-00${i + 1}`,
  devAddr: `260b000${i + 1}`,
}));

/** Milesight EM500-PP: battery (%), pressure (kPa). */
function em500(battery: number, kPa: number): Buffer {
  const b = Buffer.from([0x01, 0x75, battery & 0xff, 0x03, 0x7b, 0, 0]);
  b.writeUInt16LE(kPa & 0xffff, 5);
  return b;
}

const frameArb: Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(...ABP),
    fc.oneof(fc.integer({ min: 1, max: 70_000 }), fc.constantFrom(0, 0xffff, 0x10000, 2 ** 32 - 1)),
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(85) },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, 223, 224, 255) },
    ),
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 0xffff })).map(([b, p]) => em500(b, p)),
      },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)) },
    ),
    fc.boolean(),
  )
  .map(([device, fCnt, fPort, payload, confirmed]) =>
    encodeDataUp({ devAddr: device.devAddr, fCnt, fPort, payload, confirmed }, demoAbpKeys(device.deviceId)),
  );

const rxpkArb: Arbitrary<Rxpk> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: frameArb },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    ),
    fc.record(
      {
        stat: fc.constantFrom(1, 0, -1, 2),
        size: fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(-1, 1e20)),
        rssi: edgeNumber,
        lsnr: edgeNumber,
        freq: edgeNumber,
        time: fc.oneof(fc.constant(new Date().toISOString()), edgeString),
        tmst: edgeNumber,
      },
      { requiredKeys: [] },
    ),
    fc.option(fc.oneof(edgeString, fc.constantFrom("AAAA", "A===", "=", "A".repeat(400))), {
      freq: 6,
      nil: undefined,
    }),
  )
  .map(([phy, extra, data]) => {
    const base = gatewayRxpk(phy, { time: new Date().toISOString() });
    const size = extra.size === undefined ? {} : { size: extra.size };
    return { ...base, ...extra, ...size, ...(data !== undefined ? { data } : {}) } as Rxpk;
  });

const statArb: Arbitrary<GatewayStat> = fc.record(
  {
    time: fc.oneof(fc.constant("2026-11-23 10:00:00 GMT"), edgeString),
    lati: edgeNumber,
    long: edgeNumber,
    rxnb: edgeNumber,
    ackr: edgeNumber,
  },
  { requiredKeys: [] },
);

const tokenArb = fc.integer({ min: 0, max: 0xffff });
const euiHex = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...GATEWAYS) },
  { weight: 1, arbitrary: fc.constantFrom("0000000000000000", "ffffffffffffffff", "aa555a0000054523") },
);

/** A PUSH_DATA from a listed (or unlisted) gateway, with real frames. */
const pushDataArb: Arbitrary<Buffer> = fc
  .tuple(
    euiHex,
    tokenArb,
    fc.array(rxpkArb, { maxLength: 4 }),
    fc.option(statArb, { freq: 3, nil: undefined }),
  )
  .map(([eui, token, rxpk, stat]) =>
    buildGwmp({ type: "PUSH_DATA", token, gatewayEui: eui, body: { rxpk, ...(stat ? { stat } : {}) } }),
  );

/** A PUSH_DATA whose JSON is hostile: deep, wide, long, not an object, not UTF-8. */
const hostilePushArb: Arbitrary<Buffer> = fc
  .tuple(
    euiHex,
    tokenArb,
    fc.oneof(
      hostileValue(smallNode),
      fc.array(smallNode, { maxLength: 3 }).map((items) => obj([["rxpk", arr(items)]])),
    ),
  )
  .map(([eui, token, node]) =>
    Buffer.concat([buildGwmp({ type: "PULL_DATA", token, gatewayEui: eui }), Buffer.from(jsonText(node))]),
  )
  .map((b) => {
    b[3] = 0x00; // PULL_DATA header turned into PUSH_DATA, with the hostile JSON after the EUI
    return b;
  });

/**
 * A PUSH_DATA with a real frame whose radio metadata are number texts no double holds (`1e400`
 * reads as Infinity), or values of the wrong type: written as text, which JSON.stringify cannot.
 */
const rawNumbersPushArb: Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(...GATEWAYS),
    tokenArb,
    frameArb,
    fc.array(
      fc.tuple(
        fc.constantFrom("rssi", "lsnr", "freq", "size", "stat", "tmst", "time", "chan"),
        fc.oneof(numberNode, smallNode),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  )
  .map(([eui, token, phy, replaced]) => {
    const rxpk = gatewayRxpk(phy, { time: new Date().toISOString() });
    const fields = new Map<string, JsonNode>(
      Object.entries(rxpk).map(([k, v]) => [k, typeof v === "number" ? num(v) : str(String(v))]),
    );
    for (const [k, v] of replaced) fields.set(k, v);
    const header = buildGwmp({ type: "PULL_DATA", token, gatewayEui: eui });
    header[3] = 0x00; // PUSH_DATA
    return Buffer.concat([header, Buffer.from(jsonText(obj([["rxpk", arr([obj([...fields])])]])))]);
  });

/** Other packet types, from gateways and (wrongly) from servers, and unknown ones. */
const otherPacketArb: Arbitrary<Buffer> = fc
  .tuple(
    euiHex,
    tokenArb,
    fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xff),
    fc.constantFrom(2, 1, 3, 0),
    fc.option(smallNode, { nil: undefined }),
  )
  .map(([eui, token, type, version, body]) => {
    const header = buildGwmp({ type: "PULL_DATA", token, gatewayEui: eui });
    header[0] = version;
    header[3] = type;
    return body === undefined ? header : Buffer.concat([header, Buffer.from(jsonText(body))]);
  });

/** The largest UDP payload over IPv4 (65,535 less the IP and UDP headers). */
const MAX_DATAGRAM = 65_507;

/** Datagrams for the Semtech UDP listener, cut to what one UDP datagram can carry. */
export const datagramArb: Arbitrary<Buffer> = payloadsAround(
  fc.tuple(fc.constantFrom(...GATEWAYS), tokenArb, frameArb).map(([eui, token, phy]) =>
    buildGwmp({
      type: "PUSH_DATA",
      token,
      gatewayEui: eui,
      body: { rxpk: [gatewayRxpk(phy, { time: new Date().toISOString() })] },
    }),
  ),
  fc.oneof(
    { weight: 4, arbitrary: pushDataArb },
    { weight: 1, arbitrary: rawNumbersPushArb },
    { weight: 1, arbitrary: hostilePushArb },
    { weight: 1, arbitrary: otherPacketArb },
  ),
  { json: false },
).map((d) => d.subarray(0, MAX_DATAGRAM));

// --- reused by the API fuzzer ----------------------------------------------------------------

/** Times as a query gives them: epoch ms beyond what a Date holds, ISO at the Date's edges. */
const TIME_TEXTS = [
  "0",
  "-1",
  "1",
  String(Date.now()),
  String(Date.now() * 1000),
  String(Date.now() * 1e6),
  "8639999999999999",
  "8640000000000000",
  "8640000000000001",
  "9007199254740993",
  "99999999999999999999",
  "1".repeat(400),
  "1e20",
  "1e400",
  new Date().toISOString(),
  "2026-11-23",
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "+275760-09-12T00:00:00.000Z",
  "275760-09-13",
  "1970-01-01T00:00:00Z",
  "1969-12-31T23:59:59Z",
  "0001-01-01T00:00:00Z",
];

const RESOLUTION_TEXTS = [
  "raw",
  "1s",
  "0s",
  "0m",
  "15m",
  "1h",
  "6h",
  "1d",
  "999999d",
  "1000000d",
  "1w",
  "1.5h",
  "-1h",
  "h",
  "1H",
];
const LIST_TEXTS = [
  "commune,domain,operator",
  "commune",
  "domain",
  "operator",
  ",,,",
  "commune,commune",
  "field",
  "x",
  ...ALL_FIELDS,
];
const INTEGER_TEXTS = [
  "0",
  "1",
  "-1",
  "1000",
  "1001",
  "0.5",
  "1e3",
  "2147483648",
  "9007199254740993",
  "99999999999999999999",
  "1e400",
  "NaN",
  "-0",
];

/** Query values for a parameter, by its name: mostly values of its kind, sometimes any. */
export function queryValueFor(name: string): Arbitrary<string> {
  const kind =
    name === "from" || name === "to"
      ? TIME_TEXTS
      : name === "resolution"
        ? RESOLUTION_TEXTS
        : name === "groupBy" || name === "fields" || name === "field"
          ? LIST_TEXTS
          : name === "limit" || name === "before"
            ? INTEGER_TEXTS
            : [
                ...ALL_DEVICES,
                ...OPERATORS,
                "54521",
                "57038",
                "streetlight",
                "water_pressure",
                "waste_container",
                "ERR_DEVICE_UNKNOWN",
              ];
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...kind) },
    { weight: 1, arbitrary: queryValueArb },
  );
}

/** Any query value: numbers, hostile strings, long strings, text in any script. */
export const queryValueArb: Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...TIME_TEXTS, ...RESOLUTION_TEXTS, ...INTEGER_TEXTS) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS, ...PROTO_KEYS, ...NANISH_TEXTS) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => "a".repeat(n)) },
);
