import { describe, expect, it } from "vitest";
import { createPipeline } from "../../gateway/pipeline/pipeline.ts";
import { DEFAULT_WRITER, IngestWriter } from "../../gateway/pipeline/writer.ts";
import { loadContractDir } from "../../services/contracts/registry.ts";
import { DataCode, violation } from "../../services/domain/errors.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";
import { loadInventoryFile } from "../../services/inventory/load.ts";

/**
 * Items a source decoded itself (a codec's output) may carry the decoder's own problems beside
 * the reading: they go with the verdict, never lost.
 */
const contracts = await loadContractDir("territory/ccphva/contracts");
const devices = createDeviceIndex(
  await loadInventoryFile("territory/ccphva/inventory.csv", { ownerId: "ccphva" }, {}),
);
// The writer's store answers at once: the verdicts, not the storage, are under test here.
const store = {
  write: async () => {},
  addQuarantine: async () => {},
  addViolations: async () => {},
} as unknown as ConstructorParameters<typeof IngestWriter>[0];
const pipeline = createPipeline({ devices, contracts, writer: new IngestWriter(store, DEFAULT_WRITER) });
const uplink = { source: "test", operatorId: "collecte-nord", receivedAt: Date.now(), payload: "" };
const time = Date.now() - 60_000;

describe("pipeline: a decoder's problems beside a reading", () => {
  it("quarantines with the decoder's explanation first when the reading is refused", () => {
    const why = violation(
      DataCode.REQUIRED_MISSING,
      "data.filling_level",
      "no depth_mm: distance not convertible",
    );
    const outcome = pipeline.ingestItems(uplink, [
      {
        index: 0,
        raw: {},
        reading: { deviceId: "pav-54521-001", time, data: { battery_level: 0.9 } },
        problems: [why],
      },
    ]);
    expect(outcome.quarantined).toBe(1);
    expect(outcome.items[0]?.violations[0]).toEqual(why);
  });

  it("keeps a non-refusing problem as a violation of the accepted reading", () => {
    const note = violation(DataCode.UNKNOWN_FIELD, "data.position", "codec field with no contract field");
    const outcome = pipeline.ingestItems(uplink, [
      {
        index: 0,
        raw: {},
        reading: { deviceId: "pav-54521-001", time, data: { filling_level: 0.4 } },
        problems: [note],
      },
    ]);
    expect(outcome.accepted).toBe(1);
    expect(outcome.items[0]?.violations).toEqual([note]);
  });

  it("refuses a reading whose decoder reported a refusing problem even if the contract would take it", () => {
    const bad = violation(DataCode.CODEC_OUTPUT, "data", "codec returned a partial object");
    const outcome = pipeline.ingestItems(uplink, [
      {
        index: 0,
        raw: {},
        reading: { deviceId: "pav-54521-001", time, data: { filling_level: 0.4 } },
        problems: [bad],
      },
    ]);
    expect(outcome.quarantined).toBe(1);
    expect(outcome.items[0]?.violations).toEqual([bad]);
  });
});

describe("pipeline: the time of a self-decoded item", () => {
  it.each([
    ["past what a Date holds", 1e20],
    ["before 1970", -1e17],
    ["in nanoseconds", Date.now() * 1e6],
  ])("refuses a time %s with ERR_TIME_INVALID, as the JSON decoder does", (_name, badTime) => {
    const outcome = pipeline.ingestItems(uplink, [
      {
        index: 0,
        raw: {},
        reading: { deviceId: "pav-54521-001", time: badTime, data: { filling_level: 0.4 } },
        problems: [],
      },
    ]);
    expect(outcome.quarantined).toBe(1);
    expect(outcome.items[0]?.violations.map((v) => v.code)).toEqual([DataCode.TIME_INVALID]);
  });
});
