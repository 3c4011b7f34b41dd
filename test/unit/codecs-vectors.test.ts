import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Codec, type CodecRegistry, createDefaultCodecRegistry } from "../../gateway/codecs/registry.ts";
import { type CodecSandbox, createCodecSandbox } from "../../gateway/codecs/sandbox.ts";
import { DataCode } from "../../services/domain/errors.ts";

/** The vendors' published vectors (and a few built from their tables, marked so in `source`). */
interface Vector {
  description: string;
  source: string;
  fPort: number;
  bytes: string;
  expected: Record<string, unknown>;
}

const FIXTURES = new URL("../fixtures/codecs/", import.meta.url);
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));

const fixtures = readdirSync(FIXTURES)
  .filter((n) => n.endsWith(".json"))
  .map((n) => ({
    id: n.slice(0, -".json".length),
    vectors: JSON.parse(readFileSync(new URL(n, FIXTURES), "utf8")) as Vector[],
  }));

let registry: CodecRegistry;
let sandbox: CodecSandbox;
beforeAll(async () => {
  registry = await createDefaultCodecRegistry();
  sandbox = await createCodecSandbox();
});
afterAll(() => sandbox.close());

function codec(id: string): Codec {
  const found = registry.get(id);
  if (!found) throw new Error(`no built-in codec ${id}`);
  return found;
}

describe("built-in codecs against vendor vectors", () => {
  it("has a fixture file for every built-in codec", () => {
    expect(fixtures.map((f) => f.id).sort()).toEqual(registry.ids());
  });

  const cases = fixtures.flatMap((f) => f.vectors.map((v) => ({ id: f.id, ...v })));
  it.each(cases)("$id: $description", ({ id, fPort, bytes, expected }) => {
    const result = sandbox.decode(codec(id), { bytes: hex(bytes), fPort });
    expect(result).toEqual({ ok: true, data: expected, warnings: [] });
  });

  it("decodes without the model variable (The Things Stack has none) from the union of tables", () => {
    const { variables: _, ...plain } = codec("milesight-em310-udl");
    const result = sandbox.decode(plain, { bytes: hex("01755C 03824408 040001"), fPort: 85 });
    expect(result).toEqual({
      ok: true,
      data: { battery: 92, distance: 2116, position: "tilt" },
      warnings: [],
    });
  });
});

describe("built-in codecs never read past the end", () => {
  const truncated = [
    {
      id: "milesight-em310-udl",
      bytes: "01755C 038244",
      at: "channel 0x0382 at offset 3 needs 2 bytes, 1 left",
    },
    { id: "milesight-em310-udl", bytes: "01755C 03", at: "channel header at offset 3 needs 2 bytes, 1 left" },
    { id: "milesight-em310-udl", bytes: "0175", at: "channel 0x0175 at offset 0 needs 1 bytes, 0 left" },
    {
      id: "milesight-em500-pp",
      bytes: "01755C 037B0A",
      at: "channel 0x037b at offset 3 needs 2 bytes, 1 left",
    },
    { id: "milesight-ws558", bytes: "0480010000", at: "channel 0x0480 at offset 0 needs 4 bytes, 3 left" },
    { id: "milesight-ws558", bytes: "FF166136D304", at: "channel 0xff16 at offset 0 needs 8 bytes, 4 left" },
  ];
  it.each(truncated)("$id $bytes -> DECODE_LENGTH", ({ id, bytes, at }) => {
    const result = sandbox.decode(codec(id), { bytes: hex(bytes), fPort: 85 });
    expect(result).toEqual({
      ok: false,
      violation: { code: DataCode.DECODE_LENGTH, path: "bytes", detail: `truncated payload: ${at}` },
    });
  });

  it("stops at an unknown channel with a warning, keeping what came before", () => {
    const result = sandbox.decode(codec("milesight-em500-pp"), { bytes: hex("01755C 0382 4408"), fPort: 85 });
    expect(result).toEqual({
      ok: true,
      data: { battery: 92 },
      warnings: ["unknown channel 0x0382 at offset 3: rest of payload ignored"],
    });
  });

  it("refuses a model it does not know", () => {
    const odd = { ...codec("milesight-em310-udl"), variables: { model: "constructor" } };
    const result = sandbox.decode(odd, { bytes: hex("01755C"), fPort: 85 });
    expect(result).toEqual({
      ok: false,
      violation: { code: DataCode.CODEC_ERROR, path: "bytes", detail: "unknown Milesight model constructor" },
    });
  });
});
