import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { diffVersions } from "../../services/contracts/changes.ts";
import type { Contract, FieldSpec } from "../../services/contracts/model.ts";
import { loadContractDir } from "../../services/contracts/registry.ts";

/** What a new version of a contract changes, and whether an operator's feed breaks on it. */
let v1: Contract;

beforeAll(async () => {
  const registry = await loadContractDir(join(import.meta.dirname, "../../territory/ccphva/contracts"));
  const found = registry.versions("ccphva-streetlight")[0];
  if (!found) throw new Error("no streetlight contract");
  v1 = found;
});

function withField(
  c: Contract,
  name: string,
  change: (f: FieldSpec | undefined) => FieldSpec | undefined,
): Contract {
  const fields = new Map(c.fields);
  const next = change(fields.get(name));
  if (next) fields.set(name, next);
  else fields.delete(name);
  return { ...c, version: "2.0.0", fields };
}

describe("contract changes", () => {
  it("finds nothing between a version and itself", () => {
    expect(diffVersions(v1, v1)).toEqual([]);
  });

  it.each([
    [
      "a field removed",
      (c: Contract) => withField(c, "active_power_w", () => undefined),
      "field-removed",
      true,
    ],
    [
      "a required field added",
      (c: Contract) =>
        withField(c, "lux_target", () => ({
          ...(c.fields.get("active_power_w") as FieldSpec),
          name: "lux_target",
          required: true,
        })),
      "field-added",
      true,
    ],
    [
      "an optional field added",
      (c: Contract) =>
        withField(c, "lux_target", () => ({
          ...(c.fields.get("active_power_w") as FieldSpec),
          name: "lux_target",
          required: false,
        })),
      "field-added",
      false,
    ],
    [
      "a type changed",
      (c: Contract) => withField(c, "active_power_w", (f) => f && { ...f, type: "string" }),
      "type-changed",
      true,
    ],
    [
      "a range narrowed",
      (c: Contract) => withField(c, "active_power_w", (f) => f && { ...f, maximum: 10 }),
      "range-narrowed",
      true,
    ],
    [
      "a range widened",
      (c: Contract) => withField(c, "active_power_w", (f) => f && { ...f, maximum: 5_000 }),
      "range-widened",
      false,
    ],
    [
      "an allowed value withdrawn",
      (c: Contract) => withField(c, "status", (f) => f && { ...f, allowed: new Set(["ok"]) }),
      "values-removed",
      true,
    ],
    [
      "an allowed value added",
      (c: Contract) =>
        withField(c, "status", (f) => f && { ...f, allowed: new Set([...(f.allowed ?? []), "flickering"]) }),
      "values-added",
      false,
    ],
    ["a shorter latency", (c: Contract) => ({ ...c, latencyMs: 60_000 }), "latency-changed", true],
    ["a longer latency", (c: Contract) => ({ ...c, latencyMs: 3_600_000 }), "latency-changed", false],
    [
      "a higher target",
      (c: Contract) => ({ ...c, targets: { ...c.targets, completeness: 0.99 } }),
      "targets-changed",
      true,
    ],
  ] as const)("judges %s", (_name, change, kind, breaking) => {
    const changes = diffVersions(v1, change(v1));
    expect(changes.map((c) => [c.kind, c.breaking])).toEqual([[kind, breaking]]);
    expect(changes[0]?.detail.length).toBeGreaterThan(0);
  });
});

describe("the key of a contract version", () => {
  it("is refused when the id holds the key's separator, so that the id and version always come apart", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parseContractText } = await import("../../services/contracts/parse.ts");
    const { contractIdOf } = await import("../../services/contracts/model.ts");
    const text = await readFile(
      join(import.meta.dirname, "../../territory/ccphva/contracts/streetlight.yaml"),
      "utf8",
    );
    const result = parseContractText(
      text.replace("id: ccphva-streetlight", "id: ccphva@streetlight"),
      "x.yaml",
    );
    expect(result.ok ? [] : result.errors).toContainEqual(expect.stringMatching(/^id: must not contain "@"/));
    expect(contractIdOf(v1.key)).toBe("ccphva-streetlight");
    expect(contractIdOf("ccphva-streetlight")).toBe("ccphva-streetlight");
  });
});
