import type { Socket } from "node:dgram";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { buildGwmp } from "../../gateway/lorawan/gwmp.ts";
import { DataCode } from "../../services/domain/errors.ts";
import { pushData, rxpk } from "../helpers/gwmp.ts";
import { eventually, type TestPlatform, technician } from "../helpers/platform.ts";
import { SEMTECH_KEYS, type SemtechPlatform, startSemtechPlatform } from "../helpers/semtech-platform.ts";

/**
 * The collectivity's own gateway into the whole platform: a territory that lists a gateway and an
 * ABP container sensor; a real UDP datagram (PUSH_DATA) carrying a frame built as the device
 * would; the reading in the store, decoded by the device's codec; refusals in quarantine.
 */
const GATEWAY = "aa555a0000000101";
const KEYS = SEMTECH_KEYS;
const CONTAINER = { deviceId: "pav-54521-001", devAddr: "26011bda" };
// Milesight EM310-UDL: battery 92 %, distance 1050 mm, position normal; the container is 2100 mm deep.
const EM310 = Buffer.from("01755C03821A04040000", "hex");

describe("Semtech UDP gateways in the platform", () => {
  let t: TestPlatform;
  let gateway: Socket;

  let platform: SemtechPlatform | undefined;

  beforeAll(async () => {
    platform = await startSemtechPlatform(GATEWAY, CONTAINER);
    ({ t, gateway } = platform);
  }, 30_000);

  afterAll(async () => {
    await platform?.close();
  });

  async function push(phy: Buffer): Promise<Buffer> {
    const datagram = pushData(GATEWAY, 0x1234, [rxpk(phy, { time: new Date().toISOString() })]);
    const reply = once(gateway, "message");
    gateway.send(datagram, t.platform.semtechUdp?.source.port ?? 1, "127.0.0.1");
    const [ack] = (await reply) as [Buffer];
    return ack;
  }

  it("stores an authenticated uplink, decoded by the device's codec, as its operator", async () => {
    const phy = encodeDataUp({ devAddr: CONTAINER.devAddr, fCnt: 1, fPort: 85, payload: EM310 }, KEYS);
    const ack = await push(phy);
    expect([...ack.subarray(0, 4)]).toEqual([2, 0x12, 0x34, 1]);
    const state = await eventually(async () => {
      const [s] = await t.platform.store.latest({ deviceIds: [CONTAINER.deviceId] });
      return s?.values.filling_level ? s : undefined;
    });
    expect(state.operatorId).toBe("collecte-nord");
    expect(state.values.filling_level?.value).toBe(0.5);
    expect(state.values.battery_level?.value).toBe(0.92);
  });

  it("keeps a forged frame and a replay in quarantine with their reasons", async () => {
    const forged = encodeDataUp(
      { devAddr: CONTAINER.devAddr, fCnt: 2, fPort: 85, payload: EM310 },
      {
        ...KEYS,
        nwkSKey: Buffer.alloc(16, 1),
      },
    );
    await push(forged);
    await push(encodeDataUp({ devAddr: CONTAINER.devAddr, fCnt: 1, fPort: 85, payload: EM310 }, KEYS));
    const codes = await eventually(async () => {
      const entries = await t.platform.store.listQuarantine({ deviceId: CONTAINER.deviceId, limit: 10 });
      const found = entries.flatMap((e) => e.reasons.map((r) => r.code));
      return found.length >= 2 ? found : undefined;
    });
    expect(codes).toEqual(expect.arrayContaining([DataCode.LORAWAN_MIC, DataCode.LORAWAN_REPLAY]));
  });

  it("shows technicians each gateway's last report", async () => {
    const stat = buildGwmp({
      type: "PUSH_DATA",
      token: 0x4242,
      gatewayEui: GATEWAY,
      body: {
        stat: { time: "2026-11-23 10:00:00 GMT", rxnb: 12, rxok: 11, rxfw: 11, ackr: 100, dwnb: 0, txnb: 0 },
      },
    });
    const reply = once(gateway, "message");
    gateway.send(stat, t.platform.semtechUdp?.source.port ?? 1, "127.0.0.1");
    await reply;
    const health = await eventually(async () => {
      const res = await fetch(`${t.apiUrl}/api/v1/lorawan/health`, {
        headers: { authorization: technician },
      });
      const body = (await res.json()) as {
        gateways: { eui: string; name: string; stat?: { rxok?: number } }[];
        abp: {
          deviceId: string;
          devAddr: string;
          fCntUp?: number;
          lastUplink?: unknown;
          nwkSKey?: unknown;
        }[];
      };
      return body.gateways[0]?.stat ? body : undefined;
    });
    expect(health.gateways).toEqual([
      expect.objectContaining({
        eui: GATEWAY,
        name: "Mairie de Thil",
        lastSeen: expect.any(String),
        stat: expect.objectContaining({ rxok: 11 }),
      }),
    ]);
    // The device's newest counter and link, never its keys.
    expect(health.abp).toEqual([
      {
        ...CONTAINER,
        fCntUp: expect.any(Number),
        lastUplink: {
          time: expect.any(String),
          fCnt: expect.any(Number),
          receptions: [expect.objectContaining({ gatewayEui: GATEWAY, rssi: -97, lsnr: 7.5 })],
        },
      },
    ]);
    expect(JSON.stringify(health)).not.toMatch(/v1:|SKey/);
    expect((await fetch(`${t.apiUrl}/api/v1/lorawan/health`)).status).toBe(401);
  });

  it("still refuses after a restart a frame it accepted before (frame counters are kept)", async () => {
    const replays = async () =>
      (await t.platform.store.countQuarantine({
        deviceId: CONTAINER.deviceId,
        code: DataCode.LORAWAN_REPLAY,
      })) ?? 0;
    const before = await replays();
    t = await (platform as SemtechPlatform).restart();
    await push(encodeDataUp({ devAddr: CONTAINER.devAddr, fCnt: 1, fPort: 85, payload: EM310 }, KEYS));
    await eventually(async () => (await replays()) === before + 1);
    await push(encodeDataUp({ devAddr: CONTAINER.devAddr, fCnt: 3, fPort: 85, payload: EM310 }, KEYS));
    const count = await eventually(async () => {
      const n = await t.platform.store.countValues({ deviceIds: [CONTAINER.deviceId] });
      return n >= 6 ? n : undefined;
    });
    expect(count).toBe(6);
  });
});
