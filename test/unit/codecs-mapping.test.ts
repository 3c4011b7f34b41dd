import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCodecDecoder } from "../../gateway/codecs/decoder.ts";
import { mapCodecData } from "../../gateway/codecs/mapping.ts";
import {
  createCodecRegistry,
  createDefaultCodecRegistry,
  loadBuiltinCodecs,
  loadCodecDir,
} from "../../gateway/codecs/registry.ts";
import { type CodecSandbox, createCodecSandbox } from "../../gateway/codecs/sandbox.ts";
import { inlineCodecSandbox } from "../../gateway/codecs/worker-sandbox.ts";
import { DataCode } from "../../services/domain/errors.ts";
import type { Device } from "../../services/domain/types.ts";

const device = (id: string, attributes: Device["attributes"]): Device => ({
  id,
  domain: "waste_container",
  contractId: "ccphva-waste-container",
  ownerId: "ccphva",
  commune: "57038",
  lat: 49.47,
  lon: 5.98,
  attributes,
  assignments: [{ operatorId: "collecte-nord", from: 0 }],
});

describe("mapping to the contracts' fields", () => {
  const bin = device("pav-57038-0001", { depth_mm: 3000, codec: "milesight-em310-udl" });

  it("EM310-UDL: distance with the container's depth -> filling_level, tilt -> lidOpen, % -> fraction", () => {
    const mapped = mapCodecData(
      "milesight-em310-udl",
      { battery: 92, distance: 2116, position: "tilt" },
      bin,
    );
    expect(mapped).toEqual({
      data: { filling_level: 0.295, status: "lidOpen", battery_level: 0.92 },
      problems: [],
    });
  });

  it.each([
    [3000, 0],
    [0, 1],
    [3500, 0],
    [1500, 0.5],
  ])("distance %i mm in a 3000 mm container -> filling_level %d (clamped)", (distance, level) => {
    expect(mapCodecData("milesight-em310-udl", { distance }, bin).data).toEqual({ filling_level: level });
  });

  it("a container without depth_mm: no filling_level, and a problem that says why", () => {
    const mapped = mapCodecData("milesight-em310-udl", { distance: 2116 }, device("pav-x", {}));
    expect(mapped.data).toEqual({});
    expect(mapped.problems.map((p) => [p.code, p.path])).toEqual([
      [DataCode.REQUIRED_MISSING, "data.filling_level"],
    ]);
  });

  it("an unknown position becomes the contract's 'unknown'; a wrong type passes for the contract to report", () => {
    expect(mapCodecData("milesight-em310-udl", { position: "sideways" }, bin).data).toEqual({
      status: "unknown",
    });
    expect(mapCodecData("milesight-em310-udl", { distance: "far" }, bin).data).toEqual({
      filling_level: "far",
    });
  });

  it("EM500-PP: kPa -> bar", () => {
    const mapped = mapCodecData("milesight-em500-pp", { battery: 92, pressure: 450 }, bin);
    expect(mapped.data).toEqual({ pressure_bar: 4.5, battery_level: 0.92 });
  });

  it("WS558: line 1 -> power_state, illuminance, status from power, Wh -> kWh; electrical details dropped", () => {
    const on = {
      switch_1: "on",
      switch_2: "off",
      active_power: 70,
      power_consumption: 1234571,
      voltage: 230,
    };
    expect(mapCodecData("milesight-ws558", on, bin).data).toEqual({
      power_state: "on",
      status: "ok",
      illuminance_level: 1,
      active_power_w: 70,
      energy_kwh: 1234.571,
    });
    const dark = mapCodecData("milesight-ws558", { switch_1: "on", active_power: 0 }, bin).data;
    expect(dark).toEqual({
      power_state: "on",
      status: "defectiveLamp",
      illuminance_level: 1,
      active_power_w: 0,
    });
  });

  it("drops device attributes, passes other unmapped fields through for the contract check to report", () => {
    const mapped = mapCodecData("milesight-em500-pp", { pressure: 100, sn: "6136", temperature: 12 }, bin);
    expect(mapped.data).toEqual({ pressure_bar: 1, temperature: 12 });
  });

  it("a codec without a mapping passes its data through unchanged; __proto__ stays a plain field", () => {
    const data = JSON.parse(`{"filling_level": 0.5, "__proto__": {"polluted": true}}`) as Record<
      string,
      unknown
    >;
    const mapped = mapCodecData("ccphva-own", data, bin).data;
    expect(Object.getPrototypeOf(mapped)).toBe(Object.prototype);
    expect(Object.keys(mapped)).toEqual(["filling_level", "__proto__"]);
    const viaTable = mapCodecData("milesight-em500-pp", data, bin).data;
    expect(Object.getPrototypeOf(viaTable)).toBe(Object.prototype);
    expect(Object.keys(viaTable)).toEqual(["filling_level", "__proto__"]);
  });
});

describe("createCodecDecoder: the entry point for LoRaWAN sources", () => {
  let sandbox: CodecSandbox;
  beforeAll(async () => {
    sandbox = await createCodecSandbox();
  });
  afterAll(() => sandbox.close());

  const bin = device("pav-57038-0001", { depth_mm: 3000, codec: "milesight-em310-udl" });
  const bytes = Uint8Array.from(Buffer.from("01755C038244080400 01".replace(/\s/g, ""), "hex"));

  it("decodes, maps and shapes a DecodedItem ready for the contract check", async () => {
    const decoder = createCodecDecoder({
      registry: await createDefaultCodecRegistry(),
      sandbox: inlineCodecSandbox(sandbox),
      devices: new Map([[bin.id, bin]]),
    });
    expect(await decoder.decode(bin, 85, bytes, 1_700_000_000_000)).toEqual({
      ok: true,
      item: {
        index: 0,
        raw: { fPort: 85, bytes: "01755c03824408040001" },
        reading: {
          deviceId: bin.id,
          time: 1_700_000_000_000,
          data: { filling_level: 0.295, status: "lidOpen", battery_level: 0.92 },
        },
        problems: [],
      },
    });
    expect((await decoder.decodeFor(bin.id, 85, bytes, 0)).ok).toBe(true);
    const unknown = await decoder.decodeFor("nobody", 85, bytes, 0);
    expect(unknown.ok ? "ok" : unknown.violation.code).toBe(DataCode.DEVICE_UNKNOWN);
  });

  it("CODEC_UNKNOWN without a codec attribute or with an id no registry knows", async () => {
    const decoder = createCodecDecoder({
      registry: await createDefaultCodecRegistry(),
      sandbox: inlineCodecSandbox(sandbox),
      devices: new Map(),
    });
    const cases: Device["attributes"][] = [{}, { codec: "acme-nothing" }, { codec: 3 }];
    for (const attributes of cases) {
      const r = await decoder.decode(device("d", attributes), 85, bytes, 0);
      expect(r.ok ? "ok" : r.violation.code).toBe(DataCode.CODEC_UNKNOWN);
    }
  });

  it("passes codec failures through as they are", async () => {
    const decoder = createCodecDecoder({
      registry: await createDefaultCodecRegistry(),
      sandbox: inlineCodecSandbox(sandbox),
      devices: new Map(),
    });
    const r = await decoder.decode(bin, 85, bytes.subarray(0, 5), 0);
    expect(r.ok ? "ok" : r.violation.code).toBe(DataCode.DECODE_LENGTH);
  });
});

describe("registry", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lanterne-codecs-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads a collectivity's codec folder: id = file name, non-.js files ignored", async () => {
    await writeFile(
      join(dir, "ccphva-bin.js"),
      "function decodeUplink(i) { return { data: { n: i.bytes.length } }; }",
    );
    await writeFile(join(dir, "notes.txt"), "not a codec");
    const codecs = await loadCodecDir(dir);
    expect(codecs.map((c) => [c.id, c.origin])).toEqual([["ccphva-bin", join(dir, "ccphva-bin.js")]]);
    const registry = await createDefaultCodecRegistry(dir);
    expect(registry.ids()).toEqual([
      "ccphva-bin",
      "milesight-em310-udl",
      "milesight-em500-pp",
      "milesight-ws558",
    ]);
  });

  it("refuses a duplicate id with both origins in the message", async () => {
    await writeFile(join(dir, "milesight-em500-pp.js"), "function decodeUplink() { return { data: {} }; }");
    await expect(createDefaultCodecRegistry(dir)).rejects.toMatchObject({ code: "ERR_CONFIG_INVALID" });
    await expect(createDefaultCodecRegistry(dir)).rejects.toThrow(
      /milesight-em500-pp.*builtin:milesight\.js/,
    );
    await rm(join(dir, "milesight-em500-pp.js"));
    const builtins = await loadBuiltinCodecs();
    expect(() => createCodecRegistry([...builtins, ...builtins])).toThrow(/defined twice/);
  });

  it("refuses file names that are not codec ids", async () => {
    await writeFile(join(dir, "Bad Name.js"), "");
    await expect(loadCodecDir(dir)).rejects.toMatchObject({ code: "ERR_CONFIG_INVALID" });
    await rm(join(dir, "Bad Name.js"));
  });
});
