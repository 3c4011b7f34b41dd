import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSemtechUdpConfig } from "../../gateway/lorawan/config.ts";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { buildGwmp, type GatewayStat } from "../../gateway/lorawan/gwmp.ts";
import { openSessions, sealDevice } from "../../gateway/lorawan/session.ts";
import {
  type LorawanUplink,
  type SemtechUdpProblem,
  SemtechUdpSource,
} from "../../gateway/sources/semtech-udp.ts";
import { DataCode } from "../../services/domain/errors.ts";
import { answerTo, pushData, rxpk } from "../helpers/gwmp.ts";

/**
 * Real UDP sockets on 127.0.0.1: the listener on an ephemeral port, gateways played by dgram
 * clients sending what a packet forwarder sends, frames built by lora-packet as a device would.
 */
const GW1 = "aa555a0000000101";
const GW2 = "aa555a0000000102";
const ROGUE = "0102030405060708";
const MASTER = Buffer.alloc(32, 0x5a);
const KEYS = {
  nwkSKey: Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex"),
  appSKey: Buffer.from("3c4fcf098815f7aba6d2ae2816157e2b", "hex"),
};
const DEVICE = { deviceId: "cont-57038-0001", devAddr: "26011bda" };
const WINDOW_MS = 100;
// Milesight EM310-UDL vector (DESIGN.md): battery 92 %, distance 2116 mm, tilt.
const EM310 = Buffer.from("01755C03824408040001", "hex");

let source: SemtechUdpSource;
let port: number;
let uplinks: LorawanUplink[];
let problems: SemtechUdpProblem[];
let statuses: [string, GatewayStat, number][];
let testEnded: boolean;
const clients: Socket[] = [];

beforeEach(async () => {
  testEnded = false;
  uplinks = [];
  problems = [];
  statuses = [];
  const config = loadSemtechUdpConfig({
    host: "127.0.0.1",
    port: 0,
    dedupWindowMs: WINDOW_MS,
    gateways: [
      { eui: GW1.toUpperCase(), name: "Mairie d'Audun-le-Tiche" },
      { eui: GW2, name: "Château d'eau de Villerupt" },
    ],
  });
  const sessions = openSessions([sealDevice({ ...DEVICE, ...KEYS, fCntUp: 41 }, MASTER)], MASTER);
  source = new SemtechUdpSource(config, {
    sessions,
    onUplink: (u) => {
      uplinks.push(u);
    },
    onProblem: (p) => {
      problems.push(p);
    },
    onGatewayStatus: (eui, stat, time) => {
      statuses.push([eui, stat, time]);
    },
  });
  ({ port } = await source.start());
});

afterEach(async () => {
  testEnded = true;
  await source.close();
  await Promise.all(clients.splice(0).map((c) => new Promise<void>((resolve) => c.close(() => resolve()))));
});

async function gateway(): Promise<Socket> {
  const socket = createSocket("udp4");
  clients.push(socket);
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return socket;
}

function send(socket: Socket, datagram: Buffer): void {
  socket.send(datagram, port, "127.0.0.1");
}

/**
 * Polls a condition. No deadline of its own, which a loaded machine would overrun: the suite's
 * test timeout bounds the wait, and the loop stops when the test has ended, so a test that timed
 * out leaves nothing polling behind it.
 */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    if (testEnded) throw new Error("test ended before the condition was met");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const frame = (fCnt: number, payload = EM310) =>
  encodeDataUp({ devAddr: DEVICE.devAddr, fCnt, fPort: 85, payload }, KEYS);

describe("Semtech UDP listener", () => {
  it("acknowledges a PUSH_DATA with its token and hands over the decrypted uplink", async () => {
    const gw = await gateway();
    const reply = answerTo(gw, 0xc0de);
    const stat = {
      time: "2026-11-23 10:00:00 GMT",
      lati: 49.42,
      long: 5.98,
      alti: 330,
      rxnb: 1,
      rxok: 1,
      rxfw: 1,
      ackr: 100,
      dwnb: 0,
      txnb: 0,
    };
    send(gw, pushData(GW1, 0xc0de, [rxpk(frame(42))], stat));
    expect(await reply).toEqual(Buffer.from([2, 0xc0, 0xde, 0x01]));
    await until(() => uplinks.length === 1);
    const [uplink] = uplinks;
    expect(uplink).toMatchObject({
      deviceId: DEVICE.deviceId,
      devAddr: DEVICE.devAddr,
      fPort: 85,
      fCnt: 42,
      confirmed: false,
      receptions: [
        { gatewayEui: GW1, rssi: -97, lsnr: 7.5, freq: 868.1, time: Date.parse("2026-11-23T10:00:00.123Z") },
      ],
    });
    expect(uplink?.bytes).toEqual(EM310);
    expect(statuses).toEqual([[GW1, stat, expect.any(Number)]]);
    expect(problems).toEqual([]);
    expect(source.stats()).toMatchObject({ datagrams: 1, pushAcks: 1, uplinks: 1, statuses: 1 });
  });

  it("leaves out radio figures that are not finite numbers, as JSON 1e400 is not (found by fuzzing)", async () => {
    const gw = await gateway();
    const reply = answerTo(gw, 0x1e40);
    const text = JSON.stringify({ rxpk: [{ ...rxpk(frame(42)), rssi: 424242, lsnr: "7.5" }] });
    const header = buildGwmp({ type: "PULL_DATA", token: 0x1e40, gatewayEui: GW1 });
    header[3] = 0x00; // PUSH_DATA, its JSON written by hand: JSON.stringify cannot write 1e400
    send(gw, Buffer.concat([header, Buffer.from(text.replace("424242", "1e400"))]));
    await reply;
    await until(() => uplinks.length === 1);
    // Infinity was shown as null where the health view's schema promises a number.
    expect(uplinks[0]?.receptions).toEqual([{ gatewayEui: GW1, freq: 868.1, time: expect.any(Number) }]);
  });

  it("answers PULL_DATA with PULL_ACK and keeps the gateway's address for downlinks", async () => {
    const gw = await gateway();
    const reply = answerTo(gw, 0x0a0b);
    send(gw, buildGwmp({ type: "PULL_DATA", token: 0x0a0b, gatewayEui: GW2 }));
    expect(await reply).toEqual(Buffer.from([2, 0x0a, 0x0b, 0x04]));
    expect(source.gatewayAddress(GW2)).toMatchObject({ address: "127.0.0.1", port: gw.address().port });
  });

  it("keeps one uplink for a frame heard by two gateways, with both receptions", async () => {
    const [gw1, gw2] = [await gateway(), await gateway()];
    const phy = frame(42);
    const acks = [answerTo(gw1, 1), answerTo(gw2, 2)];
    send(gw1, pushData(GW1, 1, [rxpk(phy, { rssi: -110, lsnr: -3 })]));
    send(gw2, pushData(GW2, 2, [rxpk(phy, { rssi: -80, lsnr: 9.25, freq: 868.1 })]));
    expect(await Promise.all(acks)).toEqual([Buffer.from([2, 0, 1, 1]), Buffer.from([2, 0, 2, 1])]);
    await until(() => uplinks.length === 1);
    await sleep(WINDOW_MS * 2);
    expect(uplinks).toHaveLength(1);
    expect(uplinks[0]?.receptions).toEqual([
      expect.objectContaining({ gatewayEui: GW1, rssi: -110, lsnr: -3 }),
      expect.objectContaining({ gatewayEui: GW2, rssi: -80, lsnr: 9.25 }),
    ]);
    expect(problems).toEqual([]);
    expect(source.stats()).toMatchObject({ uplinks: 1, duplicates: 1 });
  });

  it("hands a frame over at its first copy; a copy from another gateway later only adds its reception", async () => {
    const [gw1, gw2] = [await gateway(), await gateway()];
    const phy = frame(42);
    send(gw1, pushData(GW1, 1, [rxpk(phy)]));
    await until(() => uplinks.length === 1);
    expect(uplinks[0]?.receptions).toHaveLength(1);
    send(gw2, pushData(GW2, 2, [rxpk(phy, { rssi: -119 })]));
    await until(() => source.stats().duplicates === 1);
    expect(uplinks[0]?.receptions).toEqual([
      expect.objectContaining({ gatewayEui: GW1 }),
      expect.objectContaining({ gatewayEui: GW2, rssi: -119 }),
    ]);
    expect(problems).toEqual([]);
    // The first gateway sending it again is a replay all the same.
    send(gw1, pushData(GW1, 3, [rxpk(phy)]));
    await until(() => problems.length === 1);
    expect(problems[0]?.code).toBe(DataCode.LORAWAN_REPLAY);
    expect(uplinks).toHaveLength(1);
  });

  it("refuses a replayed frame with LORAWAN_REPLAY, the frame kept as raw", async () => {
    const gw = await gateway();
    const phy = frame(42);
    send(gw, pushData(GW1, 1, [rxpk(phy)]));
    await until(() => uplinks.length === 1);
    send(gw, pushData(GW1, 2, [rxpk(phy)]));
    await until(() => problems.length === 1);
    expect(problems[0]).toMatchObject({
      code: DataCode.LORAWAN_REPLAY,
      gatewayEui: GW1,
      deviceId: DEVICE.deviceId,
      raw: phy.toString("base64"),
    });
    expect(uplinks).toHaveLength(1);
  });

  it("refuses a frame with a tampered MIC with LORAWAN_MIC, and the next genuine frame passes", async () => {
    const gw = await gateway();
    const forged = frame(42);
    forged[forged.length - 2] = (forged[forged.length - 2] ?? 0) ^ 0x01;
    send(gw, pushData(GW1, 1, [rxpk(forged)]));
    await until(() => problems.length === 1);
    expect(problems[0]).toMatchObject({ code: DataCode.LORAWAN_MIC, raw: forged.toString("base64") });
    send(gw, pushData(GW1, 2, [rxpk(frame(42))]));
    await until(() => uplinks.length === 1);
    expect(uplinks[0]?.fCnt).toBe(42);
  });

  it("does not acknowledge an unknown gateway, and reports it with GATEWAY_UNKNOWN", async () => {
    const gw = await gateway();
    const answers: Buffer[] = [];
    const pullAck = answerTo(gw, 0x0808, (answer) => answers.push(answer));
    const datagram = pushData(ROGUE, 7, [rxpk(frame(42))]);
    send(gw, datagram);
    // The listener handles datagrams in order and answers each one at once: had the rogue
    // datagram been acknowledged, its answer would come before this PULL_ACK (no waiting on a
    // clock to prove that nothing came).
    send(gw, buildGwmp({ type: "PULL_DATA", token: 0x0808, gatewayEui: GW1 }));
    expect(await pullAck).toEqual(Buffer.from([2, 0x08, 0x08, 0x04]));
    expect(answers).toEqual([]);
    await until(() => problems.length === 1);
    expect(problems[0]).toMatchObject({
      code: DataCode.GATEWAY_UNKNOWN,
      gatewayEui: ROGUE,
      raw: datagram.toString("base64"),
    });
    expect(uplinks).toEqual([]);
    expect(source.stats()).toMatchObject({ unknownGateways: 1, pushAcks: 0, frames: 0 });
  });

  it("reports a truncated datagram with DECODE_LENGTH and keeps serving", async () => {
    const gw = await gateway();
    const good = pushData(GW1, 0x4242, [rxpk(frame(42))]);
    send(gw, good.subarray(0, 9));
    await until(() => problems.length === 1);
    expect(problems[0]).toMatchObject({
      code: DataCode.DECODE_LENGTH,
      raw: good.subarray(0, 9).toString("base64"),
    });
    const reply = answerTo(gw, 0x4242);
    send(gw, good);
    expect(await reply).toEqual(Buffer.from([2, 0x42, 0x42, 0x01]));
    await until(() => uplinks.length === 1);
    expect(uplinks[0]?.bytes).toEqual(EM310);
  });

  it("survives a volley of garbage, each bad datagram reported with its code, then serves a good one", async () => {
    const gw = await gateway();
    const header = pushData(GW1, 9, []).subarray(0, 12);
    const garbage: [Buffer, DataCode][] = [
      [Buffer.alloc(0), DataCode.DECODE_LENGTH],
      [Buffer.from([2]), DataCode.DECODE_LENGTH],
      [Buffer.concat([Buffer.from([1]), header.subarray(1), Buffer.from("{}")]), DataCode.UDP_PROTOCOL],
      [Buffer.from([2, 0, 0, 0x09, 1, 2, 3, 4, 5, 6, 7, 8]), DataCode.UDP_PROTOCOL],
      [Buffer.from([2, 0, 0, 0x01]), DataCode.UDP_PROTOCOL],
      [Buffer.concat([header, Buffer.from('{"rxpk":[{"data":')]), DataCode.PAYLOAD_JSON],
      [Buffer.concat([header, Buffer.from('{"rxpk":[{"data":"!!!!","size":3}]}')]), DataCode.PAYLOAD_BASE64],
      [Buffer.concat([header, Buffer.from('{"rxpk":7}')]), DataCode.PAYLOAD_SHAPE],
      [pushData(GW1, 9, [rxpk(Buffer.from("00", "hex"))]), DataCode.LORAWAN_FRAME],
      [pushData(GW1, 9, [rxpk(frame(42).subarray(0, 10))]), DataCode.DECODE_LENGTH],
      [pushData(GW1, 9, [rxpk(Buffer.alloc(40_000, 0x40))]), DataCode.PAYLOAD_TOO_LARGE],
    ];
    for (const [datagram] of garbage) send(gw, datagram);
    await until(() => problems.length === garbage.length);
    expect(problems.map((p) => p.code).sort()).toEqual(garbage.map(([, code]) => code).sort());
    // The garbage's three well-formed PUSH_DATA (token 9) are acknowledged too, maybe still in flight.
    const reply = answerTo(gw, 0x7777);
    send(gw, pushData(GW1, 0x7777, [rxpk(frame(43))]));
    expect(await reply).toEqual(Buffer.from([2, 0x77, 0x77, 0x01]));
    await until(() => uplinks.length === 1);
    expect(uplinks[0]).toMatchObject({ fCnt: 43, fPort: 85 });
  });

  it("keeps serving when a handler throws", async () => {
    await source.close();
    const sessions = openSessions([sealDevice({ ...DEVICE, ...KEYS }, MASTER)], MASTER);
    const config = loadSemtechUdpConfig({
      host: "127.0.0.1",
      port: 0,
      dedupWindowMs: 0,
      gateways: [{ eui: GW1, name: "gw" }],
    });
    source = new SemtechUdpSource(config, {
      sessions,
      onUplink: () => {
        throw new Error("pipeline down");
      },
      onProblem: () => Promise.reject(new Error("quarantine down")),
    });
    ({ port } = await source.start());
    const gw = await gateway();
    send(gw, pushData(GW1, 1, [rxpk(frame(1))]));
    send(gw, Buffer.from([9]));
    await until(() => source.stats().handlerErrors === 2);
    // The first PUSH_DATA (token 1) was acknowledged before its handler threw: not this answer.
    const reply = answerTo(gw, 2);
    send(gw, pushData(GW1, 2, [rxpk(frame(2))]));
    expect(await reply).toEqual(Buffer.from([2, 0, 2, 1]));
  });
});
