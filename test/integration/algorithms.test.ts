import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleKinds } from "../../services/alerts/rules/kinds.ts";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The public algorithm register is built from the rules the engine runs: every rule of every
 * loaded contract appears once, with its kind's texts in French and English, its parameters as
 * the contract sets them, the meaning of each, and a source file that exists.
 */
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

interface Entry {
  rule: string;
  kind: string;
  params: Record<string, unknown>;
  parameters: Record<string, string>;
  register: Record<"fr" | "en", Record<"purpose" | "data" | "decision" | "role", string>>;
  source: string;
}

describe("GET /api/v1/algorithms", () => {
  it("lists every contract rule, to the public, with its register texts and parameters", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/algorithms`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { count: number; rules: Entry[] };
    const expected = t.platform.contracts.all().flatMap((c) => c.rules.map((r) => `${c.id}/${r.id}`));
    expect(expected.length).toBeGreaterThan(0);
    expect(body.rules.map((r) => r.rule).sort()).toEqual([...expected].sort());
    expect(body.count).toBe(expected.length);
    const { existsSync } = await import("node:fs");
    for (const entry of body.rules) {
      expect(ruleKinds.has(entry.kind)).toBe(true);
      for (const lang of ["fr", "en"] as const) {
        for (const part of ["purpose", "data", "decision", "role"] as const)
          expect(entry.register[lang][part].length).toBeGreaterThan(0);
      }
      // Every parameter the contract sets is explained by the kind's schema.
      for (const name of Object.keys(entry.params))
        expect(entry.parameters[name], `${entry.rule} ${name}`).toBeTruthy();
      expect(existsSync(entry.source)).toBe(true);
    }
  });

  it("refuses what it does not take, like every route", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/algorithms?format=html`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("ERR_UNKNOWN_PARAMETER");
  });
});
