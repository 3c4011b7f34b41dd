import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { algorithmRegister } from "../../services/alerts/register.ts";
import { ruleKinds } from "../../services/alerts/rules/kinds.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The public algorithm register is built from the rules the engine runs: every rule of every
 * loaded contract appears once, with its kind's texts in French and English, its parameters as
 * the contract sets them, the meaning of each, a source file that exists, and the contract
 * versions it has been part of. Its page (/algorithmes) is served with a strict CSP.
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
  contractVersion: string;
  inForce: boolean;
  history: Array<{ contractVersion: string; validFrom: string; params: Record<string, unknown> }>;
}

describe("GET /api/v1/algorithms", () => {
  it("lists every contract rule and the platform's own, to the public, with their register texts and parameters", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/algorithms`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { count: number; rules: Entry[] };
    const expected = [
      ...new Set(t.platform.contracts.all().flatMap((c) => c.rules.map((r) => `${c.id}/${r.id}`))),
      // The infrastructure signals (services/alerts/infrastructure.ts): rules of the platform, not of a contract.
      "platform/edge-node-offline",
      "platform/gateway-offline",
      // The compliance watch (services/clauses/compliance-watch.ts): an operator under its targets.
      "platform/compliance-breach",
    ];
    expect(expected.length).toBeGreaterThan(0);
    expect(body.rules.map((r) => r.rule).sort()).toEqual([...expected].sort());
    expect(body.count).toBe(expected.length);
    const { existsSync } = await import("node:fs");
    for (const entry of body.rules) {
      expect(ruleKinds.has(entry.kind) || ["infrastructure", "compliance"].includes(entry.kind)).toBe(true);
      for (const lang of ["fr", "en"] as const) {
        for (const part of ["purpose", "data", "decision", "role"] as const)
          expect(entry.register[lang][part].length).toBeGreaterThan(0);
      }
      // Every parameter the contract sets is explained by the kind's schema.
      for (const name of Object.keys(entry.params))
        expect(entry.parameters[name], `${entry.rule} ${name}`).toBeTruthy();
      expect(existsSync(entry.source)).toBe(true);
      expect(entry.inForce).toBe(true);
      expect(entry.history.length).toBeGreaterThan(0);
      const last = entry.history.at(-1);
      expect(last?.contractVersion).toBe(entry.contractVersion);
      expect(last?.params).toEqual(entry.params);
      expect(Number.isNaN(Date.parse(last?.validFrom ?? ""))).toBe(false);
    }
  });

  it("refuses what it does not take, like every route", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/algorithms?format=html`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("ERR_UNKNOWN_PARAMETER");
  });
});

describe("the register's version history", () => {
  const DAY = 86_400_000;
  /** Three versions of a demo contract: the rule's threshold changes in 2.0.0, it is dropped in 3.0.0. */
  function versions(): { contracts: Contract[]; ruleId: string; v1: Contract } {
    const v1 = t.platform.contracts.all().find((c) => c.rules.length > 0) as Contract;
    const rule = v1.rules[0] as Contract["rules"][number];
    const changed = { ...rule, params: { ...rule.params, minDurationMs: 123_000 } };
    const v2: Contract = { ...v1, version: "2.0.0", validFrom: v1.validFrom + 10 * DAY, rules: [changed] };
    const v3: Contract = { ...v1, version: "3.0.0", validFrom: v1.validFrom + 20 * DAY, rules: [] };
    // Given out of order, as files are read.
    return { contracts: [v3, v1, v2], ruleId: `${v1.id}/${rule.id}`, v1 };
  }

  it("lists every version that has the rule, oldest first, with its validFrom and params", () => {
    const { contracts, ruleId, v1 } = versions();
    const entry = algorithmRegister(contracts, v1.validFrom + 15 * DAY).find((e) => e.rule === ruleId);
    expect(entry?.contractVersion).toBe("2.0.0");
    expect(entry?.inForce).toBe(true);
    expect(entry?.params.minDurationMs).toBe(123_000);
    expect(entry?.history.map((h) => h.contractVersion)).toEqual([v1.version, "2.0.0"]);
    expect(entry?.history[0]?.validFrom).toBe(new Date(v1.validFrom).toISOString());
    expect(entry?.history[1]?.params.minDurationMs).toBe(123_000);
  });

  it("keeps a withdrawn rule, marked as no longer in force", () => {
    const { contracts, ruleId, v1 } = versions();
    const entries = algorithmRegister(contracts, v1.validFrom + 25 * DAY).filter((e) => e.rule === ruleId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.inForce).toBe(false);
    expect(entries[0]?.contractVersion).toBe("2.0.0");
  });
});

describe("GET /algorithmes", () => {
  it("serves the page in French by default, in English at /algorithms or with ?lang=en", async () => {
    for (const [path, lang] of [
      ["/algorithmes", "fr"],
      ["/algorithms", "en"],
      ["/algorithmes?lang=en", "en"],
      ["/algorithms?lang=fr", "fr"],
    ] as const) {
      const res = await fetch(`${t.apiUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain(`<html lang="${lang}">`);
    }
  });

  it("sends a strict Content-Security-Policy: no inline script or style, nothing from elsewhere", async () => {
    const res = await fetch(`${t.apiUrl}/algorithmes`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/https?:/);
  });

  it("serves the page's script and styles from this server", async () => {
    for (const [path, type] of [
      ["/assets/js/algorithms.js", /javascript/],
      ["/assets/css/lanterne.css", /text\/css/],
    ] as const) {
      const res = await fetch(`${t.apiUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
    }
  });
});
