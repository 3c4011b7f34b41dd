import { randomBytes } from "node:crypto";
import loraPacket from "lora-packet";
import { describe, expect, it } from "vitest";
import { aesCmac, cryptFrmPayload, uplinkMic } from "../../gateway/lorawan/crypto.ts";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { mulberry32 } from "../../services/domain/random.ts";

/** The uplink cryptography on Node's AES, checked against RFC 4493's vectors and lora-packet. */
describe("LoRaWAN uplink cryptography", () => {
  it("computes AES-CMAC as RFC 4493's test vectors say", () => {
    const key = Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex");
    const message = Buffer.from(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
      "hex",
    );
    const cases: [number, string][] = [
      [0, "bb1d6929e95937287fa37d129b756746"],
      [16, "070a16b46b4d4144f79bdd9dd04a287c"],
      [40, "dfa66747de9ae63030ca32611497c827"],
      [64, "51f0bebf7e3b9d92fc49741779363cfe"],
    ];
    for (const [length, mac] of cases)
      expect(aesCmac(key, message.subarray(0, length)).toString("hex")).toBe(mac);
  });

  it("agrees with lora-packet on the MIC and the clear payload of random frames", () => {
    const random = mulberry32(20261123);
    const lp = loraPacket as unknown as { fromWire(b: Buffer): { FRMPayload?: Buffer } };
    for (let i = 0; i < 200; i++) {
      const keys = { nwkSKey: randomBytes(16), appSKey: randomBytes(16) };
      const fCnt = Math.floor(random() * 2 ** 32);
      const payload = randomBytes(Math.floor(random() * 60));
      const devAddr = randomBytes(4).toString("hex");
      const phy = encodeDataUp({ devAddr, fCnt, fPort: 1 + (i % 200), payload }, keys);
      const frame = phy.subarray(0, phy.length - 4);
      expect(uplinkMic(keys.nwkSKey, frame, phy.subarray(1, 5), fCnt)).toEqual(phy.subarray(phy.length - 4));
      const frm = lp.fromWire(phy).FRMPayload ?? Buffer.alloc(0);
      expect(cryptFrmPayload(keys.appSKey, frm, phy.subarray(1, 5), fCnt)).toEqual(payload);
    }
  });
});
