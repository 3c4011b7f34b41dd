import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { validateOdcs } from "../../services/contracts/odcs-schema.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { loadContractDir } from "../../services/contracts/registry.ts";

/**
 * Contracts are checked against the official ODCS v3.1.0 JSON Schema before Lanterne's own
 * rules: a key Lanterne does not read (a misspelt `logicalTypeOption`) must be refused, not
 * skipped, since skipping it would silently drop the range check it carried.
 */
const DIR = "territory/ccphva/contracts";
const DEMO = readdirSync(DIR).filter((n) => n.endsWith(".yaml"));
const tmp = mkdtempSync(join(tmpdir(), "lanterne-contracts-schema-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const water = (): string => readFileSync(join(DIR, "water-pressure.yaml"), "utf8");

function errorsOf(text: string): string[] {
  const result = parseContractText(text, "test.yaml");
  return result.ok ? [] : result.errors;
}

describe("official ODCS v3.1.0 JSON Schema", () => {
  it.each(DEMO)("accepts the demo contract %s", async (name) => {
    const doc: unknown = parseYaml(await readFile(join(DIR, name), "utf8"));
    expect(validateOdcs(doc).messages).toEqual([]);
    expect(parseContractText(await readFile(join(DIR, name), "utf8"), name).ok).toBe(true);
  });

  it("refuses a misspelt logicalTypeOptions, naming its path and the key", () => {
    // pressure_bar is the first field: its range check would vanish with the misspelling.
    const text = water().replace(
      "logicalTypeOptions: { minimum: 0, maximum: 16 }",
      "logicalTypeOption: { minimum: 0, maximum: 16 }",
    );
    expect(text).not.toBe(water());
    expect(errorsOf(text)).toEqual([
      "/schema/0/properties/0: must NOT have additional properties (logicalTypeOption)",
    ]);
  });

  it("refuses an unknown top-level key", () => {
    const text = water().replace("tenant: ccphva", "tenant: ccphva\nlicense: etalab-2.0");
    expect(errorsOf(text)).toEqual(["/: must NOT have additional properties (license)"]);
  });

  it("lists every error, the schema's first, then Lanterne's rules", () => {
    const text = water()
      .replace("tenant: ccphva", "tenant: ccphva\nowner: ccphva")
      .replace(
        "logicalTypeOptions: { minimum: 0, maximum: 5000 }",
        "logicalTypeOptions: { minimum: 0, max: 5000 }",
      )
      .replace(
        "        description: Niveau de batterie",
        '        required: "yes"\n        description: Niveau de batterie',
      )
      .replace("status: active", "status: 1")
      .replace(
        "    value: 15\n    unit: min\n  - property: latency",
        "    value: 15\n    unit: min\n    unti: s\n  - property: latency",
      )
      .replace('value: "2024-01-01"', 'value: "someday"');
    const errors = errorsOf(text);
    expect(errors).toEqual([
      "/: must NOT have additional properties (owner)",
      "/status: must be string",
      "/schema/0/properties/1/logicalTypeOptions: must NOT have additional properties (max)",
      "/schema/0/properties/2/required: must be boolean",
      "/slaProperties/0: must NOT have additional properties (unti)",
      // Lanterne's own rule on what the schema lets through; its own words on `status` and
      // `required` are left out, the schema having already spoken of those places.
      'customProperties.validFrom: unreadable date "someday"',
      'customProperties.rules[5].params/field: no such field "battery_level" in the schema',
    ]);
  });

  it("refuses a missing required key with the key named", () => {
    const errors = errorsOf(water().replace("version: 1.0.0\n", ""));
    expect(errors).toEqual(["/: must have required property 'version'"]);
  });

  it("names the allowed values of a closed list", () => {
    const errors = errorsOf(water().replace("kind: DataContract", "kind: Contract"));
    expect(errors).toEqual(["/kind: must be equal to one of the allowed values (DataContract)"]);
  });

  it("refuses at start a contract folder holding a contract that breaks the schema", async () => {
    const dir = mkdtempSync(join(tmp, "contracts-"));
    writeFileSync(join(dir, "water.yaml"), water().replace("tenant: ccphva", "tenant: ccphva\ntypo: 1"));
    await expect(loadContractDir(dir)).rejects.toMatchObject({
      code: "ERR_CONTRACT_FILE_INVALID",
      message: expect.stringContaining("water.yaml:\n  - /: must NOT have additional properties (typo)"),
    });
  });
});

describe("lanterne contracts validate", () => {
  const run = promisify(execFile);

  async function validate(...files: string[]): Promise<{ code: number; out: string }> {
    const args = ["--import", "tsx", "cli/lanterne.ts", "contracts", "validate", ...files];
    try {
      const { stdout, stderr } = await run(process.execPath, args);
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  it("fails a file that breaks the official schema, one line per error with its path, exit 1", async () => {
    const file = join(tmp, "misspelt.yaml");
    writeFileSync(
      file,
      water()
        .replace(
          "logicalTypeOptions: { minimum: 0, maximum: 16 }",
          "logicalTypeOption: { minimum: 0, maximum: 16 }",
        )
        .replace("tenant: ccphva", "tenant: ccphva\nextra: true"),
    );
    const { code, out } = await validate(join(DIR, "water-pressure.yaml"), file);
    expect(code).toBe(1);
    expect(out).toContain(`ok   ${join(DIR, "water-pressure.yaml")}: ccphva-water-pressure@1.0.0`);
    expect(out).toContain(
      [
        `FAIL ${file}:`,
        "  - /: must NOT have additional properties (extra)",
        "  - /schema/0/properties/0: must NOT have additional properties (logicalTypeOption)",
      ].join("\n"),
    );
  });
});
