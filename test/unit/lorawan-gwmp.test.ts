import { describe, expect, it } from "vitest";
import {
  ackFor,
  buildGwmp,
  decodeRxpkData,
  decodeRxpks,
  type GwmpPacket,
  parseGwmp,
} from "../../gateway/lorawan/gwmp.ts";
import { DataCode } from "../../services/domain/errors.ts";

const EUI = "aa555a0000000101";

// The example rxpk and stat of Lora-net/packet_forwarder:PROTOCOL.TXT section 4.
const RXPK = {
  time: "2013-03-31T16:21:17.528002Z",
  tmst: 3512348611,
  chan: 2,
  rfch: 0,
  freq: 866.349812,
  stat: 1,
  modu: "LORA",
  datr: "SF7BW125",
  codr: "4/6",
  rssi: -35,
  lsnr: 5.1,
  size: 4,
  data: Buffer.from([1, 2, 3, 4]).toString("base64"),
};
const STAT = {
  time: "2014-01-12 08:59:28 GMT",
  lati: 46.24,
  long: 3.2523,
  alti: 145,
  rxnb: 2,
  rxok: 2,
  rxfw: 2,
  ackr: 100.0,
  dwnb: 2,
  txnb: 2,
};

const pushData = (body: object, token = 0x1234) =>
  Buffer.concat([
    Buffer.from([2, token >> 8, token & 0xff, 0x00]),
    Buffer.from(EUI, "hex"),
    Buffer.from(JSON.stringify(body)),
  ]);

describe("GWMP v2 parsing", () => {
  it("reads a PUSH_DATA with rxpk and stat", () => {
    const result = parseGwmp(pushData({ rxpk: [RXPK], stat: STAT }, 0xbeef));
    expect(result).toEqual({
      ok: true,
      packet: { type: "PUSH_DATA", token: 0xbeef, gatewayEui: EUI, body: { rxpk: [RXPK], stat: STAT } },
    });
  });

  it("reads PULL_DATA, TX_ACK (with and without JSON), PUSH_ACK, PULL_ACK, PULL_RESP", () => {
    const eui = Buffer.from(EUI, "hex");
    const cases: [Buffer, GwmpPacket][] = [
      [Buffer.concat([Buffer.from([2, 0, 7, 2]), eui]), { type: "PULL_DATA", token: 7, gatewayEui: EUI }],
      [Buffer.concat([Buffer.from([2, 0, 9, 5]), eui]), { type: "TX_ACK", token: 9, gatewayEui: EUI }],
      [
        Buffer.concat([Buffer.from([2, 0, 9, 5]), eui, Buffer.from('{"txpk_ack":{"error":"NONE"}}')]),
        { type: "TX_ACK", token: 9, gatewayEui: EUI, body: { txpk_ack: { error: "NONE" } } },
      ],
      [Buffer.from([2, 0xab, 0xcd, 1]), { type: "PUSH_ACK", token: 0xabcd }],
      [Buffer.from([2, 0xab, 0xcd, 4]), { type: "PULL_ACK", token: 0xabcd }],
      [
        Buffer.concat([Buffer.from([2, 0, 3, 3]), Buffer.from('{"txpk":{"imme":true}}')]),
        { type: "PULL_RESP", token: 3, body: { txpk: { imme: true } } },
      ],
    ];
    for (const [datagram, packet] of cases) expect(parseGwmp(datagram)).toEqual({ ok: true, packet });
  });

  it("tolerates the NUL bytes some forwarders put after the JSON", () => {
    const result = parseGwmp(Buffer.concat([pushData({ stat: STAT }), Buffer.from([0, 0])]));
    expect(result.ok).toBe(true);
  });

  it("refuses a PUSH_DATA cut at every length: DECODE_LENGTH before the JSON, PAYLOAD_JSON inside it", () => {
    const full = pushData({ rxpk: [RXPK] });
    for (let length = 0; length < full.length; length++) {
      const result = parseGwmp(full.subarray(0, length));
      expect(result.ok, `length ${length}`).toBe(false);
      if (result.ok) continue;
      expect(result.problem.code, `length ${length}`).toBe(
        length < 14 ? DataCode.DECODE_LENGTH : DataCode.PAYLOAD_JSON,
      );
    }
  });

  it("refuses a PULL_DATA or TX_ACK without its 8-byte EUI", () => {
    for (const type of [2, 5]) {
      for (let length = 4; length < 12; length++) {
        const datagram = Buffer.concat([Buffer.from([2, 0, 1, type]), Buffer.alloc(8, 0xaa)]).subarray(
          0,
          length,
        );
        const result = parseGwmp(datagram);
        expect(result.ok ? "ok" : result.problem.code, `type ${type} length ${length}`).toBe(
          DataCode.DECODE_LENGTH,
        );
      }
    }
  });

  const refusals: [string, Buffer, DataCode][] = [
    [
      "protocol version 1",
      Buffer.concat([Buffer.from([1]), pushData({}).subarray(1)]),
      DataCode.UDP_PROTOCOL,
    ],
    [
      "protocol version 3",
      Buffer.concat([Buffer.from([3]), pushData({}).subarray(1)]),
      DataCode.UDP_PROTOCOL,
    ],
    ["unknown type 0x06", Buffer.from([2, 0, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0]), DataCode.UDP_PROTOCOL],
    ["unknown type 0xff", Buffer.from([2, 0, 1, 0xff]), DataCode.UDP_PROTOCOL],
    [
      "bad JSON",
      Buffer.concat([pushData({}).subarray(0, 12), Buffer.from("{rxpk:[}")]),
      DataCode.PAYLOAD_JSON,
    ],
    [
      "JSON array",
      Buffer.concat([pushData({}).subarray(0, 12), Buffer.from("[1,2]")]),
      DataCode.PAYLOAD_JSON,
    ],
    ["rxpk not an array", pushData({ rxpk: {} }), DataCode.PAYLOAD_SHAPE],
    ["rxpk without data", pushData({ rxpk: [{ rssi: -1 }] }), DataCode.PAYLOAD_SHAPE],
    ["stat not an object", pushData({ stat: 3 }), DataCode.PAYLOAD_SHAPE],
  ];
  it.each(refusals)("refuses %s", (_name, datagram, code) => {
    const result = parseGwmp(datagram);
    expect(result.ok ? "ok" : result.problem.code).toBe(code);
  });

  it("keeps token and gateway EUI of a refused PUSH_DATA so the problem can be attributed", () => {
    const result = parseGwmp(Buffer.concat([pushData({}, 0x0102).subarray(0, 12), Buffer.from("{")]));
    expect(result).toMatchObject({
      ok: false,
      problem: { token: 0x0102, gatewayEui: EUI, type: "PUSH_DATA" },
    });
  });
});

describe("GWMP v2 building", () => {
  it("PUSH_ACK and PULL_ACK echo the token (PROTOCOL.TXT 3.3, 5.3)", () => {
    const push = parseGwmp(pushData({}, 0xa1b2));
    const pull = parseGwmp(Buffer.concat([Buffer.from([2, 0xc3, 0xd4, 2]), Buffer.from(EUI, "hex")]));
    if (!push.ok || !pull.ok) throw new Error("fixtures should parse");
    expect(ackFor(push.packet)).toEqual(Buffer.from([2, 0xa1, 0xb2, 0x01]));
    expect(ackFor(pull.packet)).toEqual(Buffer.from([2, 0xc3, 0xd4, 0x04]));
    expect(ackFor({ type: "TX_ACK", token: 1, gatewayEui: EUI })).toBeUndefined();
  });

  it("round-trips every packet type", () => {
    const packets: GwmpPacket[] = [
      { type: "PUSH_DATA", token: 1, gatewayEui: EUI, body: { rxpk: [RXPK], stat: STAT } },
      { type: "PUSH_ACK", token: 2 },
      { type: "PULL_DATA", token: 3, gatewayEui: EUI },
      { type: "PULL_RESP", token: 4, body: { txpk: { imme: true, data: "AA==" } } },
      { type: "PULL_ACK", token: 5 },
      { type: "TX_ACK", token: 6, gatewayEui: EUI, body: { txpk_ack: { error: "TOO_LATE" } } },
    ];
    for (const packet of packets) expect(parseGwmp(buildGwmp(packet))).toEqual({ ok: true, packet });
  });

  it("refuses to build with an EUI that is not 8 bytes", () => {
    expect(() => buildGwmp({ type: "PULL_DATA", token: 1, gatewayEui: "abcd" })).toThrow(RangeError);
  });
});

describe("rxpk data", () => {
  const cases: [string, string, number | undefined, DataCode | "ok"][] = [
    ["padded base64", "AQIDBA==", 4, "ok"],
    ["unpadded base64", "AQIDBA", 4, "ok"],
    ["no size field", "AQIDBA==", undefined, "ok"],
    ["URL-safe alphabet", "-_8=", undefined, DataCode.PAYLOAD_BASE64],
    ["characters outside base64", "AQ*DBA==", 4, DataCode.PAYLOAD_BASE64],
    ["impossible length", "AQIDB", undefined, DataCode.PAYLOAD_BASE64],
    ["padding in the middle", "AQ==AQ==", undefined, DataCode.PAYLOAD_BASE64],
    ["wrong padding count", "AQIDBA=", undefined, DataCode.PAYLOAD_BASE64],
    ["size larger than data (cut packet)", "AQIDBA==", 12, DataCode.DECODE_LENGTH],
    ["the largest LoRa frame, 255 bytes", Buffer.alloc(255, 7).toString("base64"), 255, "ok"],
    [
      "more than LoRa carries, 256 bytes",
      Buffer.alloc(256, 7).toString("base64"),
      256,
      DataCode.PAYLOAD_TOO_LARGE,
    ],
    ["a megabyte", Buffer.alloc(1 << 20).toString("base64"), undefined, DataCode.PAYLOAD_TOO_LARGE],
  ];
  it.each(cases)("%s", (_name, data, size, expected) => {
    const result = decodeRxpkData(size === undefined ? { data } : { data, size });
    expect(result.ok ? "ok" : result.code).toBe(expected);
  });

  it("decodes each rxpk on its own: one bad packet does not hide the others; CRC failures are counted", () => {
    const decoding = decodeRxpks([RXPK, { ...RXPK, data: "%%%" }, { ...RXPK, stat: -1 }]);
    expect(decoding.frames.map((f) => [f.index, f.phyPayload.toString("hex")])).toEqual([[0, "01020304"]]);
    expect(decoding.problems).toEqual([
      { index: 1, code: DataCode.PAYLOAD_BASE64, detail: expect.any(String), raw: "%%%" },
    ]);
    expect(decoding.crcErrors).toBe(1);
  });
});
