import sparkplug from "sparkplug-payload";
import root from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataCode } from "../../services/domain/errors.ts";
import {
  connectOperator,
  eventually,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * Sparkplug B through the platform's own broker: an edge node of the lighting operator (group =
 * the operator's id) announces a cabinet's light point with DBIRTH, then sends DDATA by alias
 * only; the readings face the streetlight contract and land in the store. Another operator's
 * group is forbidden, a malformed payload kept in quarantine.
 */
const codec = (sparkplug as unknown as { get(ns: string): { encodePayload(p: unknown): Uint8Array } }).get(
  "spBv1.0",
);
const LAMP = "lum-57038-0007";
const Payload = root.org.eclipse.tahu.protobuf.Payload;

function payload(seq: number, metrics: unknown[], timestamp = Date.now()): Buffer {
  return Buffer.from(codec.encodePayload({ timestamp, seq, metrics }));
}

describe("Sparkplug B on the embedded broker", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
  });

  it("stores a device's DDATA metrics, named by the aliases of its DBIRTH", async () => {
    const node = await connectOperator(t.mqttUrl, "lumiere-est");
    try {
      const base = "spBv1.0/lumiere-est";
      await node.publishAsync(
        `${base}/NBIRTH/armoire-57038-01`,
        payload(0, [{ name: "bdSeq", type: "UInt64", value: 0 }]),
        { qos: 1 },
      );
      const born = Date.now() - 30_000;
      await node.publishAsync(
        `${base}/DBIRTH/armoire-57038-01/${LAMP}`,
        payload(
          1,
          [
            { name: "power_state", alias: 1, type: "String", value: "on" },
            { name: "status", alias: 2, type: "String", value: "ok" },
            { name: "active_power_w", alias: 3, type: "Double", value: 40 },
            { name: "firmware", alias: 4, type: "Bytes", value: Buffer.from([1, 2]) },
          ],
          born,
        ),
        { qos: 1 },
      );
      const time = Date.now() - 20_000;
      await node.publishAsync(
        `${base}/DDATA/armoire-57038-01/${LAMP}`,
        payload(
          2,
          [
            { alias: 1, type: "String", value: "on" },
            { alias: 2, type: "String", value: "ok" },
            { alias: 3, type: "Double", value: 47.5 },
          ],
          time,
        ),
        { qos: 1 },
      );
      const points = await t.platform.store.series({ deviceId: LAMP, from: time, to: time + 1 });
      expect(points.find((p) => p.field === "active_power_w")?.last).toBe(47.5);
      expect((await t.platform.store.latest({ deviceIds: [LAMP] }))[0]?.operatorId).toBe("lumiere-est");
      // The Bytes metric was skipped, the others kept, and the skip reported to compliance.
      const compliance = await t.platform.store.countViolations({ operatorId: "lumiere-est" });
      expect(compliance.map((c) => c.code)).toContain(DataCode.METRIC_SKIPPED);
      const res = await fetch(`${t.apiUrl}/api/v1/lorawan/health`, {
        headers: { authorization: technician },
      });
      const health = (await res.json()) as {
        sparkplug: { edgeNode: string; deviceId?: string; kind: string }[];
      };
      expect(health.sparkplug).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ edgeNode: "armoire-57038-01", kind: "online" }),
          expect.objectContaining({ edgeNode: "armoire-57038-01", deviceId: LAMP, kind: "online" }),
        ]),
      );
    } finally {
      await node.endAsync();
    }
  });

  it("keeps a malformed payload in quarantine and refuses another operator's group", async () => {
    const node = await connectOperator(t.mqttUrl, "lumiere-est");
    await node.publishAsync("spBv1.0/lumiere-est/NDATA/armoire-57038-01", Buffer.from([0x0a, 0xff, 0xff]), {
      qos: 1,
    });
    const entries = await eventually(async () => {
      const found = await t.platform.store.listQuarantine({
        operatorId: "lumiere-est",
        code: DataCode.PAYLOAD_PROTOBUF,
        limit: 5,
      });
      return found.length > 0 ? found : undefined;
    });
    expect(entries[0]?.source).toBe("sparkplug");
    await node.endAsync();
    const intruder = await connectOperator(t.mqttUrl, "eaux-alzette");
    const closed = new Promise<void>((resolve) => intruder.once("close", () => resolve()));
    intruder.publish("spBv1.0/lumiere-est/NDATA/armoire-57038-01", payload(3, []), { qos: 1 });
    await closed;
    const forbidden = await eventually(async () => {
      const found = await t.platform.store.listQuarantine({
        operatorId: "eaux-alzette",
        code: DataCode.TOPIC_FORBIDDEN,
        limit: 5,
      });
      return found.length > 0 ? found : undefined;
    });
    expect(forbidden[0]?.reasons[0]?.detail).toContain("spBv1.0/lumiere-est");
    await intruder.endAsync(true);
  });

  it("keeps serving the LoRaWAN health after an NBIRTH dated 2^64-1 ms (found by fuzzing)", async () => {
    const node = await connectOperator(t.mqttUrl, "lumiere-est");
    const far = Buffer.from(
      Payload.encode(Payload.fromObject({ timestamp: "18446744073709551615", seq: 0, metrics: [] })).finish(),
    );
    await node.publishAsync("spBv1.0/lumiere-est/NBIRTH/armoire-far-future", far, { qos: 1 });
    await node.endAsync();
    const res = await fetch(`${t.apiUrl}/api/v1/lorawan/health`, { headers: { authorization: technician } });
    expect(res.status).toBe(200);
    const health = (await res.json()) as { sparkplug: { edgeNode: string; time: string }[] };
    const event = health.sparkplug.find((e) => e.edgeNode === "armoire-far-future");
    expect(Date.parse(event?.time ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });
});
