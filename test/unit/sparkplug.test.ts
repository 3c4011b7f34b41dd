import sparkplug from "sparkplug-payload";
import root from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../gateway/pipeline/decode.ts";
import type { Pipeline } from "../../gateway/pipeline/pipeline.ts";
import { createSparkplugSource, isSparkplugTopic, rebirthCommand } from "../../gateway/sources/sparkplug.ts";
import { createSparkplugIngest } from "../../gateway/sources/sparkplug-ingest.ts";
import { createSparkplugSession, type SparkplugResult } from "../../gateway/sparkplug/session.ts";
import { DataCode } from "../../services/domain/errors.ts";

/**
 * Sparkplug B payloads as edge nodes put them on the wire: BIRTHs through the Tahu encoder
 * (`encodePayload`, name + alias + datatype), DATA through the generated protobuf class so that a
 * metric can carry its alias alone, without name or datatype, as Sparkplug 3.0.0 asks
 * (tck-id-payloads-alias-data-cmd-requirement, tck-id-payloads-metric-datatype-not-req).
 */
const codec = sparkplug.get("spBv1.0");
if (!codec) throw new Error("no spBv1.0 codec");
const { encodePayload, decodePayload } = codec;
type BirthMetric = Parameters<typeof encodePayload>[0] extends { metrics?: (infer M)[] | null } ? M : never;

const Payload = root.org.eclipse.tahu.protobuf.Payload;
type RawMetric = root.org.eclipse.tahu.protobuf.Payload.IMetric;

const GROUP = "ccphva-eclairage";
const NODE = "armoire-57038-01";
const DEVICE = "depart-1";
const T0 = Date.UTC(2026, 0, 15, 18, 0, 0);

const topic = (type: string, deviceId?: string) =>
  `spBv1.0/${GROUP}/${type}/${NODE}${deviceId !== undefined ? `/${deviceId}` : ""}`;

function nbirth(bdSeq: number, metrics: BirthMetric[] = [], seq = 0): Buffer {
  return Buffer.from(
    encodePayload({
      timestamp: T0,
      seq,
      metrics: [
        { name: "bdSeq", type: "Int64", value: bdSeq },
        { name: "Node Control/Rebirth", type: "Boolean", value: false },
        ...metrics,
      ],
    }),
  );
}

function birth(metrics: BirthMetric[], seq: number, timestamp = T0): Buffer {
  return Buffer.from(encodePayload({ timestamp, seq, metrics }));
}

function ndeath(bdSeq: number): Buffer {
  return Buffer.from(
    encodePayload({ timestamp: T0, metrics: [{ name: "bdSeq", type: "Int64", value: bdSeq }] }),
  );
}

/** A DATA payload with raw protobuf metrics (alias only, no datatype, as the spec asks). */
function data(seq: number, metrics: RawMetric[], timestamp: number | null = T0 + 60_000): Buffer {
  const message = Payload.create({ seq, metrics, ...(timestamp !== null ? { timestamp } : {}) });
  return Buffer.from(Payload.encode(message).finish());
}

/** The cabinet's metrics: name, alias and datatype declared once, in the NBIRTH. */
const CABINET_METRICS: BirthMetric[] = [
  { name: "Power/Active", alias: 1, type: "Double", value: 1.2 },
  { name: "Energy Consumed", alias: 2, type: "UInt64", value: 1500 },
  { name: "Door-Open", alias: 3, type: "Boolean", value: false },
];

const T1 = T0 + 60_000;
const kinds = (r: SparkplugResult) => r.health.map((h) => h.kind);

/** A session where the cabinet's NBIRTH was received. */
function bornNode(config = {}) {
  const session = createSparkplugSession(config);
  const born = session.handle(topic("NBIRTH"), nbirth(7, CABINET_METRICS), T0);
  return { session, born };
}

describe("Sparkplug B session: NBIRTH and NDATA", () => {
  it("registers aliases at NBIRTH and resolves NDATA metrics that carry the alias alone", () => {
    const { session, born } = bornNode();
    expect(born.health).toEqual([expect.objectContaining({ kind: "online", group: GROUP, edgeNode: NODE })]);
    // The BIRTH's values are the node's first reading; bdSeq and Node Control/* are not data.
    expect(born.readings).toEqual([
      { deviceId: NODE, time: T0, data: { power_active: 1.2, energy_consumed: 1500, door_open: false } },
    ]);
    const r = session.handle(
      topic("NDATA"),
      data(1, [
        { alias: 1, doubleValue: 2.5 },
        { alias: 3, booleanValue: true },
      ]),
      T1,
    );
    expect(r).toEqual({
      readings: [{ deviceId: NODE, time: T1, data: { power_active: 2.5, door_open: true } }],
      health: [],
      problems: [],
      rebirthRequests: [],
    });
  });

  it("takes the time from the metric, else the payload, else the reception", () => {
    const { session } = bornNode();
    const r = session.handle(
      topic("NDATA"),
      data(1, [
        { alias: 1, doubleValue: 2.5, timestamp: T1 - 5_000 },
        { alias: 3, booleanValue: true },
      ]),
      T1 + 999,
    );
    expect(r.readings).toEqual([
      { deviceId: NODE, time: T1 - 5_000, data: { power_active: 2.5 } },
      { deviceId: NODE, time: T1, data: { door_open: true } },
    ]);
    const untimed = session.handle(topic("NDATA"), data(2, [{ alias: 1, doubleValue: 3 }], null), T1 + 999);
    expect(untimed.readings).toEqual([{ deviceId: NODE, time: T1 + 999, data: { power_active: 3 } }]);
  });

  it("accepts metrics by name when the node does not use aliases, and skips null and transient ones", () => {
    const { session } = bornNode();
    const r = session.handle(
      topic("NDATA"),
      data(1, [
        { name: "Power/Active", doubleValue: 4 },
        { alias: 2, isNull: true },
        { alias: 3, booleanValue: true, isTransient: true },
      ]),
      T1,
    );
    expect(r.readings).toEqual([{ deviceId: NODE, time: T1, data: { power_active: 4 } }]);
    expect(r.problems).toEqual([]);
  });
});

describe("Sparkplug B session: DBIRTH, DDATA, DDEATH", () => {
  const deviceMetrics = [
    { name: "Lamp/Level", alias: 10, type: "Float" as const, value: 0.5 },
    { name: "Status", alias: 11, type: "String" as const, value: "ok" },
  ];

  it("resolves DDATA aliases declared by the device's DBIRTH, for that device", () => {
    const { session } = bornNode();
    const b = session.handle(topic("DBIRTH", DEVICE), birth(deviceMetrics, 1), T0);
    expect(b.health).toEqual([expect.objectContaining({ kind: "online", deviceId: DEVICE })]);
    expect(b.readings).toEqual([{ deviceId: DEVICE, time: T0, data: { lamp_level: 0.5, status: "ok" } }]);
    const r = session.handle(
      topic("DDATA", DEVICE),
      data(2, [{ alias: 11, stringValue: "defectiveLamp" }]),
      T1,
    );
    expect(r.readings).toEqual([{ deviceId: DEVICE, time: T1, data: { status: "defectiveLamp" } }]);
    expect(session.nodeStatus(GROUP, NODE)?.devices).toEqual([{ deviceId: DEVICE, online: true }]);
  });

  it("takes a DDEATH as the device going offline, and its later DDATA as data before birth", () => {
    const { session } = bornNode();
    session.handle(topic("DBIRTH", DEVICE), birth(deviceMetrics, 1), T0);
    const death = session.handle(topic("DDEATH", DEVICE), birth([], 2), T1);
    expect(death.health).toEqual([expect.objectContaining({ kind: "offline", deviceId: DEVICE })]);
    const r = session.handle(topic("DDATA", DEVICE), data(3, [{ alias: 11, stringValue: "ok" }]), T1);
    expect(kinds(r)).toEqual(["data-before-birth"]);
    expect(r.readings).toEqual([]);
    expect(r.rebirthRequests).toEqual([expect.objectContaining({ group: GROUP, edgeNode: NODE })]);
  });
});

describe("Sparkplug B session: seq (tck-id-payloads-sequence-num-incrementing)", () => {
  const cases: { name: string; seqs: number[]; gaps: string[] }[] = [
    { name: "in order", seqs: [1, 2, 3], gaps: [] },
    { name: "one lost", seqs: [1, 3, 4], gaps: ["expected seq 2, got 3"] },
    { name: "repeated", seqs: [1, 1], gaps: ["expected seq 2, got 1"] },
    { name: "wraps 255 -> 0", seqs: [...Array.from({ length: 255 }, (_, i) => i + 1), 0, 1], gaps: [] },
    {
      name: "255 -> 1 is a gap",
      seqs: [...Array.from({ length: 255 }, (_, i) => i + 1), 1],
      gaps: ["expected seq 0, got 1"],
    },
  ];
  it.each(cases)("$name", ({ seqs, gaps }) => {
    const { session } = bornNode();
    const found = seqs.flatMap(
      (seq) => session.handle(topic("NDATA"), data(seq, [{ alias: 1, doubleValue: seq }]), T1).health,
    );
    expect(found.map((h) => h.detail)).toEqual(gaps);
    expect(found.every((h) => h.kind === "sequence-gap")).toBe(true);
  });

  it("counts DBIRTH, DDATA and DDEATH in the node's sequence", () => {
    const { session } = bornNode();
    session.handle(topic("DBIRTH", DEVICE), birth([{ name: "x", alias: 5, type: "Int32", value: 1 }], 1), T0);
    const r = session.handle(topic("NDATA"), data(3, [{ alias: 1, doubleValue: 1 }]), T1);
    expect(r.health.map((h) => h.detail)).toEqual(["expected seq 2, got 3"]);
  });

  it("asks for one rebirth per node until it is born again, and keeps the gap's data", () => {
    const { session } = bornNode();
    const first = session.handle(topic("NDATA"), data(5, [{ alias: 1, doubleValue: 1 }]), T1);
    expect(first.readings).toHaveLength(1);
    expect(first.rebirthRequests).toEqual([
      { group: GROUP, edgeNode: NODE, reason: "seq gap: expected 1, got 5" },
    ]);
    const second = session.handle(topic("NDATA"), data(9, [{ alias: 1, doubleValue: 1 }]), T1 + 1_000);
    expect(second.rebirthRequests).toEqual([]);
    const later = session.handle(topic("NDATA"), data(20, [{ alias: 1, doubleValue: 1 }]), T1 + 31_000);
    expect(later.rebirthRequests).toHaveLength(1);
  });

  it("can leave gaps without a rebirth request", () => {
    const { session } = bornNode({ rebirthOnSequenceGap: false });
    const r = session.handle(topic("NDATA"), data(5, [{ alias: 1, doubleValue: 1 }]), T1);
    expect(kinds(r)).toEqual(["sequence-gap"]);
    expect(r.rebirthRequests).toEqual([]);
  });
});

describe("Sparkplug B session: NDEATH (tck-id-payloads-ndeath-bdseq)", () => {
  function withTwoDevices() {
    const { session } = bornNode();
    session.handle(topic("DBIRTH", "depart-1"), birth([], 1), T0);
    session.handle(topic("DBIRTH", "depart-2"), birth([], 2), T0);
    return session;
  }

  it("ignores an NDEATH whose bdSeq is not the current NBIRTH's (a stale Will)", () => {
    const session = withTwoDevices();
    const r = session.handle(topic("NDEATH"), ndeath(6), T1);
    expect(r.health).toEqual([]);
    expect(session.nodeStatus(GROUP, NODE)).toMatchObject({ online: true, bdSeq: 7n });
  });

  it("takes the node and every device of it offline, at the reception time", () => {
    const session = withTwoDevices();
    const r = session.handle(topic("NDEATH"), ndeath(7), T1 + 5);
    expect(r.health.map((h) => [h.kind, h.deviceId, h.time])).toEqual([
      ["offline", "depart-1", T1 + 5],
      ["offline", "depart-2", T1 + 5],
      ["offline", undefined, T1 + 5],
    ]);
    expect(session.nodeStatus(GROUP, NODE)).toMatchObject({
      online: false,
      devices: [
        { deviceId: "depart-1", online: false },
        { deviceId: "depart-2", online: false },
      ],
    });
    const after = session.handle(topic("NDATA"), data(3, [{ alias: 1, doubleValue: 1 }]), T1 + 10);
    expect(kinds(after)).toEqual(["data-before-birth"]);
    expect(after.readings).toEqual([]);
  });

  it("a new NBIRTH brings the node back with a fresh seq and bdSeq", () => {
    const session = withTwoDevices();
    session.handle(topic("NDEATH"), ndeath(7), T1);
    const reborn = session.handle(topic("NBIRTH"), nbirth(8, CABINET_METRICS), T1 + 1);
    expect(kinds(reborn)).toEqual(["online"]);
    expect(session.nodeStatus(GROUP, NODE)).toEqual({ online: true, bdSeq: 8n, lastSeq: 0, devices: [] });
    expect(session.handle(topic("NDATA"), data(1, [{ alias: 1, doubleValue: 1 }]), T1 + 2).health).toEqual(
      [],
    );
  });
});

describe("Sparkplug B session: what it cannot interpret", () => {
  it("NDATA before any NBIRTH: data-before-birth and a rebirth request, no reading", () => {
    const session = createSparkplugSession();
    const r = session.handle(topic("NDATA"), data(4, [{ alias: 1, doubleValue: 1 }]), T1);
    expect(r.readings).toEqual([]);
    expect(r.health).toEqual([
      { kind: "data-before-birth", group: GROUP, edgeNode: NODE, time: T1, detail: "NDATA before NBIRTH" },
    ]);
    expect(r.rebirthRequests).toEqual([{ group: GROUP, edgeNode: NODE, reason: "NDATA before NBIRTH" }]);
  });

  it("DBIRTH and DDATA before the NBIRTH are data before birth too", () => {
    const session = createSparkplugSession();
    expect(kinds(session.handle(topic("DBIRTH", DEVICE), birth([], 1), T0))).toEqual(["data-before-birth"]);
    expect(kinds(session.handle(topic("DDATA", DEVICE), data(2, []), T0))).toEqual(["data-before-birth"]);
  });

  it("an unknown alias: that metric dropped with a rebirth request, the others kept", () => {
    const { session } = bornNode();
    const r = session.handle(
      topic("NDATA"),
      data(1, [
        { alias: 99, doubleValue: 1 },
        { alias: 1, doubleValue: 2 },
      ]),
      T1,
    );
    expect(r.readings).toEqual([{ deviceId: NODE, time: T1, data: { power_active: 2 } }]);
    expect(r.health).toEqual([
      expect.objectContaining({ kind: "unknown-alias", detail: "alias 99 not declared by the last BIRTH" }),
    ]);
    expect(r.rebirthRequests).toHaveLength(1);
  });

  it("dates health by the reception when the payload's timestamp is implausible (found by fuzzing)", () => {
    const session = createSparkplugSession();
    // uint64 2^64-1 ms: the health view's ISO 8601 of it threw, and GET /api/v1/lorawan/health was a 500.
    const far = Payload.encode(
      Payload.fromObject({ timestamp: "18446744073709551615", seq: 0, metrics: [] }),
    ).finish();
    const r = session.handle(topic("NBIRTH"), far, T0);
    expect(r.health).toEqual([expect.objectContaining({ kind: "online", time: T0 })]);
    // Nor an hour ahead of the reception; a plausible time is the edge node's own, as before.
    expect(session.handle(topic("NBIRTH"), nbirth(8), T0 - 3_600_000).health[0]?.time).toBe(T0 - 3_600_000);
    expect(session.handle(topic("NBIRTH"), nbirth(9), T1).health[0]?.time).toBe(T0);
  });

  it("a malformed protobuf payload is refused as a whole", () => {
    const session = createSparkplugSession();
    const r = session.handle(topic("NBIRTH"), Buffer.from("not protobuf"), T0);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: DataCode.PAYLOAD_PROTOBUF, scope: "message" }),
    ]);
    expect(session.nodeStatus(GROUP, NODE)).toBeUndefined();
  });

  const badTopics: [string, string][] = [
    ["spBv1.0/g/NDATA", "edge_node_id is missing"],
    ["spBv1.0//NDATA/n", "group_id is empty"],
    ["spBv1.0/g/NDATA/n/d", "NDATA takes no device_id"],
    ["spBv1.0/g/DDATA/n", "DDATA needs exactly one non-empty device_id"],
    ["spBv1.0/g/DDATA/n/d/extra", "DDATA needs exactly one non-empty device_id"],
    ["spBv1.0/g/NBORN/n", 'unknown message_type "NBORN"'],
    ["spAv1.0/g/NDATA/n", "namespace must be spBv1.0"],
  ];
  it.each(badTopics)("topic %s -> PAYLOAD_SHAPE (%s)", (bad, detail) => {
    const r = createSparkplugSession().handle(bad, data(0, []), T0);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: DataCode.PAYLOAD_SHAPE, path: "topic", scope: "message" }),
    ]);
    expect(r.problems[0]?.detail).toContain(detail);
  });

  it("ignores commands and Host Application STATE", () => {
    const session = createSparkplugSession();
    for (const t of [topic("NCMD"), topic("DCMD", DEVICE), "spBv1.0/STATE/lanterne"]) {
      expect(session.handle(t, Buffer.from('{"online":true}'), T0)).toEqual({
        readings: [],
        health: [],
        problems: [],
        rebirthRequests: [],
      });
    }
  });
});

describe("Sparkplug B session: identities and names", () => {
  it("maps Sparkplug devices to inventory ids and refuses unknown ones", () => {
    const inventory = new Map([[`${GROUP}/${NODE}/${DEVICE}`, "sl-57038-0001"]]);
    const session = createSparkplugSession({
      resolveDevice: (g, n, d) => inventory.get(`${g}/${n}/${d ?? ""}`),
    });
    const nb = session.handle(topic("NBIRTH"), nbirth(1, CABINET_METRICS), T0);
    expect(nb.problems).toEqual([
      expect.objectContaining({
        code: DataCode.DEVICE_UNKNOWN,
        scope: "message",
        detail: `no inventory device for edge node ${NODE}`,
      }),
    ]);
    expect(kinds(nb)).toEqual(["online"]);
    const db = session.handle(
      topic("DBIRTH", DEVICE),
      birth([{ name: "Status", alias: 4, type: "String", value: "ok" }], 1),
      T0,
    );
    expect(db.readings).toEqual([{ deviceId: "sl-57038-0001", time: T0, data: { status: "ok" } }]);
  });

  it("uses a per-group field mapping, dropping what it does not name", () => {
    const names: Record<string, string> = { "Power/Active": "total_active_power_kw" };
    const { born } = bornNode({ fieldName: (metric: string) => names[metric] });
    expect(born.readings).toEqual([{ deviceId: NODE, time: T0, data: { total_active_power_kw: 1.2 } }]);
  });
});

describe("Sparkplug B session: bounded state (found by fuzzing)", () => {
  const nodeTopic = (type: string, node: string, device?: string) =>
    `spBv1.0/${GROUP}/${type}/${node}${device !== undefined ? `/${device}` : ""}`;

  it("forgets the least recently heard edge nodes past its bound, not those still speaking", () => {
    // Edge node ids that change with every message grew the state by about a kilobyte each.
    const session = createSparkplugSession({ maxTracked: 100 });
    session.handle(nodeTopic("NBIRTH", "steady"), nbirth(1, CABINET_METRICS), T0);
    for (let i = 0; i < 1_000; i++) {
      session.handle(nodeTopic("NDATA", `node-${i}`), data(1, []), T0 + i);
      if (i % 50 === 0) session.handle(nodeTopic("NDATA", "steady"), data(1 + i / 50, []), T0 + i);
    }
    expect(session.nodeStatus(GROUP, "node-0")).toBeUndefined();
    expect(session.nodeStatus(GROUP, "node-999")).toEqual({ online: false, devices: [] });
    expect(session.nodeStatus(GROUP, "steady")?.online).toBe(true);
    // A forgotten node that speaks again is data before birth: a rebirth request, no data lost unseen.
    expect(kinds(session.handle(nodeTopic("NDATA", "node-0"), data(2, []), T1))).toEqual([
      "data-before-birth",
    ]);
  });

  it("counts devices in the bound: one node with ever new devices keeps its newest", () => {
    const session = createSparkplugSession({ maxTracked: 10 });
    session.handle(nodeTopic("NBIRTH", NODE), nbirth(1), T0);
    for (let i = 0; i < 50; i++) session.handle(nodeTopic("DBIRTH", NODE, `dev-${i}`), birth([], 1 + i), T0);
    const devices = session.nodeStatus(GROUP, NODE)?.devices.map((d) => d.deviceId);
    expect(devices).toEqual(Array.from({ length: 9 }, (_, i) => `dev-${41 + i}`));
  });

  it("keeps the latest health event of as many nodes as it tracks, no more", async () => {
    const pipeline: Pipeline = {
      limits: DEFAULT_LIMITS,
      ingest: () => {
        throw new Error("Sparkplug hands items over, never bytes");
      },
      ingestItems: () => ({
        accepted: 0,
        quarantined: 0,
        items: [],
        refusedWhole: false,
        durable: Promise.resolve(),
      }),
      refuse: async () => {},
    };
    const ingest = createSparkplugIngest({ pipeline, publish: () => {}, now: () => T0, maxTracked: 10 });
    for (let i = 0; i < 100; i++) await ingest.ingest(GROUP, nodeTopic("NBIRTH", `node-${i}`), nbirth(1), T0);
    expect(ingest.health.size).toBe(10);
    expect([...ingest.health.values()].map((e) => e.edgeNode)).toContain("node-99");
  });
});

describe("Sparkplug B source", () => {
  it("recognises Sparkplug topics", () => {
    expect(isSparkplugTopic("spBv1.0/g/NDATA/n")).toBe(true);
    expect(isSparkplugTopic("lanterne/op/devices/d/up")).toBe(false);
  });

  it("hands readings, health, problems and rebirth requests to its callbacks", () => {
    const calls: string[] = [];
    const source = createSparkplugSource({
      onReadings: (operatorId, items) => calls.push(`readings ${operatorId} ${items.length}`),
      onHealth: (e) => calls.push(`health ${e.kind}`),
      onProblem: (p, payload) => calls.push(`problem ${p.code} ${payload.length}`),
      onRebirthRequest: (r) => calls.push(`rebirth ${r.edgeNode}`),
    });
    source.handle(topic("NDATA"), data(1, []), T0, "eclairage-est");
    source.handle(topic("NBIRTH"), nbirth(1, CABINET_METRICS), T0, "eclairage-est");
    source.handle(topic("NDATA"), Buffer.from([0x0a, 0xff]), T1, "eclairage-est");
    expect(calls).toEqual([
      "health data-before-birth",
      `rebirth ${NODE}`,
      "readings eclairage-est 1",
      "health online",
      `problem ${DataCode.PAYLOAD_PROTOBUF} 2`,
    ]);
    expect(source.stats).toEqual({ messages: 3, readings: 1, problems: 1, rebirthRequests: 1 });
  });

  it("builds the NCMD Node Control/Rebirth a host publishes (§6.4.3)", () => {
    const cmd = rebirthCommand({ group: GROUP, edgeNode: NODE, reason: "test" }, T1);
    expect(cmd.topic).toBe(`spBv1.0/${GROUP}/NCMD/${NODE}`);
    const payload = decodePayload(cmd.payload);
    expect(payload.metrics).toEqual([
      expect.objectContaining({ name: "Node Control/Rebirth", type: "Boolean", value: true }),
    ]);
  });
});
