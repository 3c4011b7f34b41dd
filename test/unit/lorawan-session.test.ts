import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { loadAbpDevices, loadSemtechUdpConfig, masterKeyFromEnv } from "../../gateway/lorawan/config.ts";
import {
  AbpSession,
  fCntMSBytes,
  keyContext,
  MAX_FCNT_GAP,
  masterKeyFrom,
  nextFCnt,
  openKey,
  openSessions,
  reconstructFCnt,
  sealDevice,
  sealKey,
} from "../../gateway/lorawan/session.ts";
import { DataCode } from "../../services/domain/errors.ts";

const MASTER = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
const NWK = Buffer.from("44024241ed4ce9a68c6a8bc055233fd3", "hex");
const APP = Buffer.from("ec925802ae430ca77fd3dd73cb2cc588", "hex");

describe("frame counter", () => {
  const cases: [string, number | undefined, number, number | DataCode][] = [
    ["first frame of a session", undefined, 7, 7],
    ["next frame", 10, 11, 11],
    ["a gap of lost frames", 10, 500, 500],
    ["the largest allowed gap", 10, 10 + MAX_FCNT_GAP, 10 + MAX_FCNT_GAP],
    ["one past the largest gap", 10, 11 + MAX_FCNT_GAP, DataCode.LORAWAN_REPLAY],
    ["rollover 65535 -> 0", 65_535, 0, 65_536],
    ["rollover with lost frames", 65_530, 3, 65_539],
    ["second rollover", 131_071, 0, 131_072],
    ["in the second 64k", 65_536, 1, 65_537],
    ["same counter (replay)", 42, 42, DataCode.LORAWAN_REPLAY],
    ["older counter (replay)", 42, 41, DataCode.LORAWAN_REPLAY],
    ["old frame from before a rollover", 65_540, 65_535, DataCode.LORAWAN_REPLAY],
    ["ABP device reset to 0 after 5000 frames", 5000, 0, DataCode.LORAWAN_REPLAY],
    ["past 2^32 - 1", 0xffff_ffff, 0, DataCode.LORAWAN_REPLAY],
  ];
  it.each(cases)("%s", (_name, last, fcnt16, expected) => {
    const check = nextFCnt(last, fcnt16);
    expect(check.ok ? check.fCnt : check.code).toBe(expected);
  });

  it("reconstructs the high bits from the last counter", () => {
    expect(reconstructFCnt(0x0002_fff0, 0xfff5)).toBe(0x0002_fff5);
    expect(reconstructFCnt(0x0002_fff0, 0x0001)).toBe(0x0003_0001);
  });

  it("gives lora-packet the counter's high 16 bits little-endian (B0 block FCnt field is LE)", () => {
    expect(fCntMSBytes(0x0001_0005)).toEqual(Buffer.from([0x01, 0x00]));
    expect(fCntMSBytes(0x1234_5678)).toEqual(Buffer.from([0x34, 0x12]));
    expect(fCntMSBytes(7)).toEqual(Buffer.from([0, 0]));
  });

  it("advances a session's counter only through acceptFCnt, never backwards", () => {
    const session = new AbpSession({
      deviceId: "d",
      devAddr: "26011BDA",
      nwkSKey: NWK,
      appSKey: APP,
      fCntUp: 9,
    });
    const check = session.checkFCnt(10);
    expect(check).toEqual({ ok: true, fCnt: 10 });
    expect(session.fCntUp).toBe(9);
    session.acceptFCnt(10);
    session.acceptFCnt(4);
    expect(session.fCntUp).toBe(10);
    expect(session.checkFCnt(10)).toMatchObject({ ok: false, code: DataCode.LORAWAN_REPLAY });
  });
});

describe("sealed keys", () => {
  it("round-trips, with a fresh IV each time", () => {
    const a = sealKey(NWK, MASTER, "ctx");
    const b = sealKey(NWK, MASTER, "ctx");
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(openKey(a, MASTER, "ctx")).toEqual(NWK);
    expect(a).not.toContain(NWK.toString("base64"));
  });

  const sealed = sealKey(NWK, MASTER, "ctx");
  const [v, iv, tag, ct] = sealed.split(":") as [string, string, string, string];
  const flip = (b64: string) => {
    const bytes = Buffer.from(b64, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    return bytes.toString("base64");
  };
  const tampered: [string, string, Buffer, string][] = [
    ["ciphertext altered", [v, iv, tag, flip(ct)].join(":"), MASTER, "ctx"],
    ["tag altered", [v, iv, flip(tag), ct].join(":"), MASTER, "ctx"],
    ["IV altered", [v, flip(iv), tag, ct].join(":"), MASTER, "ctx"],
    ["another master key", sealed, Buffer.alloc(32, 7), "ctx"],
    ["another context (key moved to another device)", sealed, MASTER, "other"],
    ["unknown version", ["v2", iv, tag, ct].join(":"), MASTER, "ctx"],
    ["missing part", [v, iv, tag].join(":"), MASTER, "ctx"],
    ["short tag", [v, iv, tag.slice(0, 8), ct].join(":"), MASTER, "ctx"],
  ];
  it.each(tampered)("refuses: %s", (_name, value, master, context) => {
    expect(() => openKey(value, master, context)).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID" }),
    );
  });

  it("takes a master key as 64 hex characters or a passphrase", () => {
    expect(masterKeyFrom(MASTER.toString("hex"))).toEqual(MASTER);
    const derived = masterKeyFrom("correct horse battery staple");
    expect(derived).toHaveLength(32);
    expect(masterKeyFrom("correct horse battery staple")).toEqual(derived);
    expect(() => masterKeyFrom("short")).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
    expect(masterKeyFromEnv({ LANTERNE_SECRET_KEY: MASTER.toString("hex") })).toEqual(MASTER);
    expect(() => masterKeyFromEnv({})).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
  });
});

describe("sessions never show their keys", () => {
  const session = new AbpSession({
    deviceId: "cont-57038-0001",
    devAddr: "26011BDA",
    nwkSKey: NWK,
    appSKey: APP,
  });
  const secrets = [NWK, APP].flatMap((k) => [
    k.toString("hex"),
    k.toString("hex").toUpperCase(),
    k.toString("base64"),
  ]);
  const views = {
    json: JSON.stringify(session),
    inspect: inspect(session, { depth: 10, showHidden: true }),
    inList: inspect({ sessions: [session] }, { depth: 10 }),
    template: `${JSON.stringify({ session })}`,
  };
  it.each(Object.entries(views))("%s", (_name, text) => {
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain("cont-57038-0001");
  });

  it("JSON is the device, the address and the counter", () => {
    expect(JSON.parse(views.json)).toEqual({ deviceId: "cont-57038-0001", devAddr: "26011bda" });
  });

  it("lends its keys to a callback and wipes them on request", () => {
    const s = new AbpSession({ deviceId: "d", devAddr: "01020304", nwkSKey: NWK, appSKey: APP });
    expect(s.useKeys((k) => k.nwkSKey.equals(NWK))).toBe(true);
    s.wipe();
    expect(s.useKeys((k) => k.nwkSKey.equals(Buffer.alloc(16)))).toBe(true);
    expect(NWK.equals(Buffer.alloc(16))).toBe(false);
  });
});

describe("opening configured devices", () => {
  const device = sealDevice({ deviceId: "cont-1", devAddr: "26011BDA", nwkSKey: NWK, appSKey: APP }, MASTER);

  it("opens sealed devices into a table by DevAddr", () => {
    const table = openSessions([device], MASTER);
    const [session] = table.candidates("26011bda");
    expect(session?.deviceId).toBe("cont-1");
    expect(session?.useKeys((k) => k.appSKey.equals(APP))).toBe(true);
  });

  it("lists every bad device in one error, without any key", () => {
    const swapped = { ...device, deviceId: "cont-2", nwkSKey: device.appSKey };
    const badAddr = { ...device, deviceId: "cont-3", devAddr: "xyz" };
    let message = "";
    try {
      openSessions([device, swapped, badAddr], MASTER);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("cont-2");
    expect(message).toContain("cont-3");
    expect(message).not.toContain("cont-1)");
    for (const k of [NWK, APP]) expect(message).not.toContain(k.toString("hex"));
  });

  it("binds a sealed key to its device and slot", () => {
    expect(() => openKey(device.nwkSKey, MASTER, keyContext("26011bda", "app"))).toThrow();
    expect(openKey(device.nwkSKey, MASTER, keyContext("26011BDA", "nwk"))).toEqual(NWK);
  });
});

describe("listener configuration", () => {
  it("applies defaults and lower-cases EUIs", () => {
    const config = loadSemtechUdpConfig({ gateways: [{ eui: "AA555A0000000101", name: "Mairie d'Aumetz" }] });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 1700,
      dedupWindowMs: 10_000,
      gateways: [{ eui: "aa555a0000000101" }],
    });
  });

  it("validates the device list, and never accepts a plain key", () => {
    const device = sealDevice(
      { deviceId: "cont-1", devAddr: "26011BDA", nwkSKey: NWK, appSKey: APP },
      MASTER,
    );
    expect(loadAbpDevices([device])).toEqual([device]);
    expect(() => loadAbpDevices([{ ...device, appSKey: APP.toString("hex") }])).toThrow(/appSKey/);
  });

  it("lists every error", () => {
    expect(() => loadSemtechUdpConfig({ port: 70000, gateways: [{ eui: "zz", name: "" }] })).toThrow(
      /port[\s\S]*eui[\s\S]*name/,
    );
  });
});
