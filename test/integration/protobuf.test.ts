import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lanterne } from "../../protos/generated/lanterne.js";
import { DataCode } from "../../services/domain/errors.ts";
import {
  basic,
  connectOperator,
  DEMO_SECRETS,
  eventually,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

/**
 * The protobuf envelope end to end: on MQTT under `.../readings/pb`, on HTTP with
 * `Content-Type: application/x-protobuf`, into the store; a malformed envelope is kept in
 * quarantine, as base64, with its reason.
 */
const LAMP = "lum-57038-0003";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

function envelope(device: string, time: number, power: number): Buffer {
  const seconds = Math.floor(time / 1000);
  return Buffer.from(
    lanterne.v1.Readings.encode({
      readings: [
        {
          device,
          time: { seconds, nanos: (time - seconds * 1000) * 1_000_000 },
          data: {
            power_state: { text: "on" },
            status: { text: "ok" },
            active_power_w: { number: power },
          },
        },
      ],
    }).finish(),
  );
}

describe("protobuf envelope", () => {
  let t: TestPlatform;
  const powerAt = async (time: number) => {
    const points = await t.platform.store.series({ deviceId: LAMP, from: time, to: time + 1 });
    return points.find((p) => p.field === "active_power_w")?.last;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
  });

  it("takes readings published on MQTT under /pb", async () => {
    const client = await connectOperator(t.mqttUrl, "lumiere-est");
    try {
      const time = Date.now() - 60_000;
      await client.publishAsync("lanterne/lumiere-est/readings/pb", envelope(LAMP, time, 41), { qos: 1 });
      expect(await powerAt(time)).toBe(41);
      const one = Date.now() - 59_000;
      await client.publishAsync(`lanterne/lumiere-est/devices/${LAMP}/readings/pb`, envelope("", one, 42), {
        qos: 1,
      });
      expect(await powerAt(one)).toBe(42);
    } finally {
      await client.endAsync();
    }
  });

  it("takes readings posted over HTTP as application/x-protobuf", async () => {
    const time = Date.now() - 58_000;
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: { authorization: lumiere, "content-type": "application/x-protobuf" },
      body: envelope(LAMP, time, 43),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, quarantined: 0 });
    expect(await powerAt(time)).toBe(43);
  });

  it("keeps a malformed envelope in quarantine, as base64, with its reason", async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: { authorization: lumiere, "content-type": "application/x-protobuf" },
      body: garbage,
    });
    expect(res.status).toBe(422);
    const client = await connectOperator(t.mqttUrl, "lumiere-est");
    await client.publishAsync("lanterne/lumiere-est/readings/pb", garbage, { qos: 1 });
    await client.endAsync();
    const entries = await eventually(async () => {
      const found = await t.platform.store.listQuarantine({
        operatorId: "lumiere-est",
        code: DataCode.PAYLOAD_PROTOBUF,
        limit: 10,
      });
      return found.length >= 2 ? found : undefined;
    });
    expect(entries.map((e) => e.raw)).toEqual([garbage.toString("base64"), garbage.toString("base64")]);
  });
});
