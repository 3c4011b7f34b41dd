import { afterEach, describe, expect, it, vi } from "vitest";
import { Deduplicator } from "../../gateway/lorawan/dedup.ts";
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

describe("deduplication window", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("collects copies for the window, then hands them over once", () => {
    vi.useFakeTimers();
    const flushed: string[][] = [];
    const dedup = new Deduplicator<string>({ windowMs: 200, maxPending: 10 }, (items) => flushed.push(items));
    expect(dedup.add("k", "gw1")).toBe("opened");
    vi.advanceTimersByTime(150);
    expect(dedup.add("k", "gw2")).toBe("joined");
    expect(dedup.add("other", "gw1")).toBe("opened");
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(flushed).toEqual([["gw1", "gw2"]]);
    expect(dedup.add("k", "gw3")).toBe("opened");
    dedup.flushAll();
    expect(flushed).toEqual([["gw1", "gw2"], ["gw1"], ["gw3"]]);
    expect(dedup.pending).toBe(0);
  });

  it("stays bounded: past maxPending, frames are handed over at once", () => {
    vi.useFakeTimers();
    const flushed: number[][] = [];
    const dedup = new Deduplicator<number>({ windowMs: 200, maxPending: 2 }, (items) => flushed.push(items));
    dedup.add("a", 1);
    dedup.add("b", 2);
    expect(dedup.add("c", 3)).toBe("immediate");
    expect(flushed).toEqual([[3]]);
    expect(dedup.pending).toBe(2);
    dedup.flushAll();
  });
});
