import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { checkVersionSet, loadContractDir } from "../../services/contracts/registry.ts";
import { openDatasets } from "../../services/opendata/datasets.ts";

/** What a contract publishes is checked when it loads: a wrong dataset refuses the contract. */
const DIR = "territory/ccphva/contracts";
const lights = (): string => readFileSync(join(DIR, "streetlight.yaml"), "utf8");

/** The streetlight contract with its energy dataset's indicator lines replaced. */
function withEnergy(indicator: string): string {
  const text = lights().replace(
    "          indicator: sum\n          params: { field: energy_kwh }",
    indicator,
  );
  expect(text).not.toBe(lights());
  return text;
}

function errorsOf(text: string): string[] {
  const result = parseContractText(text, "streetlight.yaml");
  return result.ok ? [] : result.errors;
}

const AT = "customProperties.openData.datasets[1]";

describe("open datasets in the contracts", () => {
  it("reads the demo's datasets with their defaults", async () => {
    const contracts = await loadContractDir(DIR);
    const ids = openDatasets(contracts).map((d) => d.spec.id);
    expect(ids).toContain("eclairage-energie-consommee");
    expect(ids).toContain("eau-pression-par-secteur");
    const energy = openDatasets(contracts).find((d) => d.spec.id === "eclairage-energie-consommee");
    expect(energy?.spec).toMatchObject({
      licence: "etalab-2.0",
      minDevices: 5,
      level: "commune",
      granularity: "day",
    });
  });

  it.each([
    [
      "an unknown indicator",
      "          indicator: total\n          params: { field: energy_kwh }",
      `${AT}.indicator: unknown "total" (one of mean, sum, share, devices-reaching, emptyings, alerts, repair-time, acknowledge-time)`,
    ],
    [
      "a personal field",
      "          indicator: mean\n          params: { field: presence_count }",
      `${AT}.params.field: presence_count is personal data and is never published`,
    ],
    [
      "a field of the wrong measure",
      "          indicator: sum\n          params: { field: active_power_w }",
      `${AT}.params.field: active_power_w is a gauge, sum reads a counter`,
    ],
    [
      "a state value the field never takes",
      "          indicator: share\n          params: { field: status, values: [broken] }",
      `${AT}.params.values: status never takes "broken"`,
    ],
    [
      "a rule the contract does not declare",
      "          indicator: alerts\n          params: { rules: [no-such-rule] }",
      `${AT}.params.rules: no rule "no-such-rule" in the contract`,
    ],
    [
      "a threshold below the contract's",
      "          indicator: sum\n          params: { field: energy_kwh }\n          minDevices: 2",
      `${AT}.minDevices: expected an integer >= the contract's minDevices (5)`,
    ],
  ])("refuses %s, naming where", (_what, lines, error) => {
    expect(errorsOf(withEnergy(lines))).toEqual([
      error.startsWith(AT) && !error.includes(": ") ? error : error,
    ]);
  });

  it("refuses a parameter its kind does not take", () => {
    const errors = errorsOf(
      withEnergy("          indicator: sum\n          params: { field: energy_kwh, atLeast: 3 }"),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^customProperties\.openData\.datasets\[1\]\.params/);
  });

  it("reads what residents may report, and refuses a category without its English title", () => {
    const result = parseContractText(lights(), "streetlight.yaml");
    expect(result.ok && result.contract.openData.reports?.categories.map((c) => c.id)).toEqual([
      "eteint-la-nuit",
      "allume-le-jour",
      "endommage",
    ]);
    const text = lights().replace(', titleEn: "Dark at night" }', " }");
    expect(errorsOf(text)).toEqual([
      "customProperties.openData.reports.categories[0]: title and titleEn are required texts",
    ]);
  });

  it("refuses a dataset published by two contracts", async () => {
    const contracts = (await loadContractDir(DIR)).all();
    const lighting = contracts.find((c) => c.id === "ccphva-streetlight") as Contract;
    const other = { ...lighting, id: "other", key: "other@1.0.0", sourceFile: "other.yaml" };
    expect(checkVersionSet([...contracts, other]).join("\n")).toMatch(
      /open dataset eclairage-energie-consommee is also published by ccphva-streetlight/,
    );
  });
});
