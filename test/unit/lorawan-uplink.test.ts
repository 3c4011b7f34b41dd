import { describe, expect, it } from "vitest";
import { FrameCopies } from "../../gateway/lorawan/dedup.ts";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { AbpSession, SessionTable } from "../../gateway/lorawan/session.ts";
import { processUplink, readDataUpHeader } from "../../gateway/lorawan/uplink.ts";
import { DataCode } from "../../services/domain/errors.ts";

// The worked example of lora-packet's README (DevAddr 49be7df1, FCnt 2, FRMPayload "test").
const README_FRAME = Buffer.from("40F17DBE4900020001954378762B11FF0D", "hex");
const README_KEYS = {
  nwkSKey: Buffer.from("44024241ed4ce9a68c6a8bc055233fd3", "hex"),
  appSKey: Buffer.from("ec925802ae430ca77fd3dd73cb2cc588", "hex"),
};
const KEYS = {
  nwkSKey: Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex"),
  appSKey: Buffer.from("000102030405060708090a0b0c0d0e0f", "hex"),
};
const DEV_ADDR = "26011bda";

const table = (...sessions: AbpSession[]) => new SessionTable(sessions);
const session = (fCntUp?: number, devAddr = DEV_ADDR, keys = KEYS, deviceId = "cont-57038-0001") =>
  new AbpSession({ deviceId, devAddr, ...keys, ...(fCntUp === undefined ? {} : { fCntUp }) });
const frame = (fCnt: number, payload = Buffer.from("017564", "hex"), extra: { confirmed?: boolean } = {}) =>
  encodeDataUp({ devAddr: DEV_ADDR, fCnt, fPort: 85, payload, ...extra }, KEYS);

describe("data uplink", () => {
  it("verifies and decrypts the lora-packet README vector", () => {
    const result = processUplink(README_FRAME, table(session(undefined, "49be7df1", README_KEYS)));
    expect(result).toEqual({
      ok: true,
      uplink: {
        deviceId: "cont-57038-0001",
        devAddr: "49be7df1",
        fCnt: 2,
        fPort: 1,
        payload: Buffer.from("test"),
        confirmed: false,
      },
    });
  });

  it("decrypts a frame built with the device keys, and advances the counter", () => {
    const s = session(9);
    const bytes = Buffer.from("01755C03824408040001", "hex");
    const result = processUplink(frame(10, bytes, { confirmed: true }), table(s));
    expect(result).toMatchObject({
      ok: true,
      uplink: { fCnt: 10, fPort: 85, payload: bytes, confirmed: true },
    });
    expect(s.fCntUp).toBe(10);
  });

  it("authenticates with the 32-bit counter across the 65535 -> 0 rollover", () => {
    const s = session(65_535);
    const result = processUplink(frame(65_536), table(s));
    expect(result).toMatchObject({ ok: true, uplink: { fCnt: 65_536 } });
    expect(s.fCntUp).toBe(65_536);
    // The high bits are in the MIC: read as FCnt 0 (a fresh session), the same frame fails.
    expect(processUplink(frame(65_536), table(session()))).toMatchObject({ code: DataCode.LORAWAN_MIC });
  });

  it("refuses a replay, and a tampered MIC does not move the counter", () => {
    const s = session();
    const sessions = table(s);
    expect(processUplink(frame(5), sessions).ok).toBe(true);
    expect(processUplink(frame(5), sessions)).toMatchObject({ ok: false, code: DataCode.LORAWAN_REPLAY });
    const forged = frame(6);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff;
    expect(processUplink(forged, sessions)).toMatchObject({ ok: false, code: DataCode.LORAWAN_MIC });
    expect(s.fCntUp).toBe(5);
    expect(processUplink(frame(6), sessions).ok).toBe(true);
  });

  it("refuses a frame whose MIC was computed with the wrong high counter bits", () => {
    // The device says FCnt 1 of the second 64k; the network is still in the first: gap too large.
    expect(processUplink(frame(65_537), table(session(10)))).toMatchObject({ code: DataCode.LORAWAN_REPLAY });
  });

  it("tells apart two devices that share a DevAddr by the MIC", () => {
    const other = { nwkSKey: Buffer.alloc(16, 1), appSKey: Buffer.alloc(16, 2) };
    const sessions = table(
      session(undefined, DEV_ADDR, other, "other"),
      session(undefined, DEV_ADDR, KEYS, "mine"),
    );
    expect(processUplink(frame(1), sessions)).toMatchObject({ ok: true, uplink: { deviceId: "mine" } });
  });

  const refusals: [string, Buffer, DataCode][] = [
    [
      "unknown DevAddr",
      encodeDataUp({ devAddr: "01020304", fCnt: 1, fPort: 1, payload: Buffer.from("x") }, KEYS),
      DataCode.LORAWAN_FRAME,
    ],
    [
      "join request (MType 0)",
      Buffer.concat([Buffer.from([0x00]), Buffer.alloc(22)]),
      DataCode.LORAWAN_FRAME,
    ],
    ["downlink (MType 3)", Buffer.from("60F17DBE4900020001954378762B11FF0D", "hex"), DataCode.LORAWAN_FRAME],
    ["proprietary (MType 7)", Buffer.from([0xe0, 1, 2, 3]), DataCode.LORAWAN_FRAME],
    ["major 1", Buffer.from("41F17DBE4900020001954378762B11FF0D", "hex"), DataCode.LORAWAN_FRAME],
    ["empty PHYPayload", Buffer.alloc(0), DataCode.DECODE_LENGTH],
    ["shorter than MHDR + FHDR + MIC", README_FRAME.subarray(0, 11), DataCode.DECODE_LENGTH],
    ["FOptsLen beyond the frame", Buffer.from("40F17DBE490F020001954378", "hex"), DataCode.DECODE_LENGTH],
  ];
  it.each(refusals)("refuses %s", (_name, phy, code) => {
    const result = processUplink(phy, table(session(undefined, "49be7df1", README_KEYS)));
    expect(result.ok ? "ok" : result.code).toBe(code);
  });

  it("reads the routing header without keys", () => {
    expect(readDataUpHeader(README_FRAME)).toEqual({
      ok: true,
      header: { devAddr: "49be7df1", fCnt16: 2, confirmed: false, mic: "2b11ff0d" },
    });
  });
});

describe("copies of a frame from several gateways", () => {
  const frame = Buffer.from("40F17DBE4900020001954378762B11FF0D", "hex");

  it("handles the first copy as new; copies from other gateways within the window join it", () => {
    const copies = new FrameCopies<string>(200, 10);
    const first = copies.see(frame, "gw1", "gw1 -97 dBm", 1_000);
    expect(first.copy).toBe(false);
    expect(copies.see(frame, "gw2", "gw2 -110 dBm", 1_150)).toMatchObject({ copy: true });
    // The record handed over with the first copy shows every reception as they arrive.
    expect(first.record.receptions).toEqual(["gw1 -97 dBm", "gw2 -110 dBm"]);
    expect(copies.see(Buffer.from(frame).fill(1, 9, 10), "gw2", "other frame", 1_160).copy).toBe(false);
  });

  it("takes the same frame again from the same gateway, or after the window, as new (a replay)", () => {
    const copies = new FrameCopies<string>(200, 10);
    copies.see(frame, "gw1", "first", 1_000);
    expect(copies.see(frame, "gw1", "again", 1_050).copy).toBe(false);
    expect(copies.see(frame, "gw2", "late", 1_300).copy).toBe(false);
  });

  it("stays bounded: past maxEntries the oldest frames are forgotten", () => {
    const copies = new FrameCopies<number>(60_000, 2);
    for (let i = 0; i < 5; i++) copies.see(Buffer.from([i]), "gw1", i, 1_000 + i);
    expect(copies.size).toBe(2);
    expect(copies.see(Buffer.from([0]), "gw2", 9, 1_010).copy).toBe(false);
    expect(copies.see(Buffer.from([4]), "gw2", 9, 1_010).copy).toBe(true);
  });
});
