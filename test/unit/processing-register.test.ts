import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { type AccessPolicy, createAccessPolicy } from "../../services/access/policy.ts";
import {
  csvOf,
  DEFAULT_LEGAL_BASIS,
  NO_TRANSFER,
  processingRegister,
  registerRows,
  transfersOf,
} from "../../services/clauses/processing-register.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { createContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";

/**
 * The processing register (GDPR art. 30) is built from the contracts alone: each personal field
 * with its purpose (or none: then it is never stored), legal basis (the contract's or the stated
 * default), retention per tier, the roles that may read it, hosting and transfers, and the
 * versions it applies in.
 */
const DIR = "territory/ccphva/contracts";
const NOW = Date.parse("2026-12-01T00:00:00Z");
const OWNER = { id: "ccphva", name: "CCPHVA", siren: "245701404" };
const PURPOSE = "Adapter l'intensité de l'éclairage à la fréquentation de la rue.";
let streetlight: string;

function parseOk(text: string): Contract {
  const r = parseContractText(text, "test.yaml");
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.contract;
}

function parseErrors(text: string): string[] {
  const r = parseContractText(text, "test.yaml");
  return r.ok ? [] : r.errors;
}

/** The demo streetlight contract with a stated purpose and, optionally, a legal basis. */
function withPurpose(legalBasis?: string, version = "1.0.0", validFrom = "2024-01-01"): string {
  let text = streetlight
    .replace("version: 1.0.0", `version: ${version}`)
    .replace('value: "2024-01-01"', `value: "${validFrom}"`)
    .replace(
      "  - property: personalDataPurposes\n    value: {}",
      `  - property: personalDataPurposes\n    value: { presence_count: "${PURPOSE}" }`,
    );
  if (legalBasis !== undefined) {
    text = text.replace(
      "  - property: personalDataPurposes",
      `  - property: personalDataLegalBasis\n    value: ${legalBasis}\n  - property: personalDataPurposes`,
    );
  }
  return text;
}

function policyOf(contracts: readonly Contract[]): AccessPolicy {
  const clock = fixedClock(NOW);
  return createAccessPolicy({
    devices: createDeviceIndex([], () => clock.now()),
    contracts: createContractRegistry(contracts),
    clock,
  });
}

function registerOf(
  contracts: readonly Contract[],
  hostingLocation = "France (hébergement de la collectivité)",
) {
  return processingRegister(contracts, {
    hostingLocation,
    policy: policyOf(contracts),
    owner: OWNER,
    now: () => NOW,
  });
}

beforeAll(async () => {
  streetlight = await readFile(`${DIR}/streetlight.yaml`, "utf8");
});

describe("the processing register of the demo contracts", () => {
  it("lists the lamp posts' presence counts, not collected for want of a purpose", async () => {
    const contracts = (await loadContractDir(DIR)).all();
    const register = registerOf(contracts);
    expect(register.controller).toEqual(OWNER);
    expect(register.defaultLegalBasis).toBe(DEFAULT_LEGAL_BASIS);
    const personal = contracts.flatMap((c) =>
      [...c.fields.values()].filter((f) => f.personal).map((f) => `${c.id}/${f.name}`),
    );
    expect(register.entries.map((e) => `${e.contractId}/${e.field}`)).toEqual(personal);
    const [entry] = register.entries;
    expect(entry).toMatchObject({
      contractId: "ccphva-streetlight",
      field: "presence_count",
      versions: ["1.0.0"],
      purpose: null,
      collected: false,
      legalBasis: DEFAULT_LEGAL_BASIS,
      legalBasisIsDefault: true,
      retention: { rawDays: 365, hourlyDays: 5 * 365, dailyDays: 20 * 365 },
      recipients: ["admin"],
      openData: false,
      hostingLocation: "FR",
      hostingFromContract: true,
      transfersOutsideEu: NO_TRANSFER,
    });
    expect(entry?.description).toContain("passages");
  });
});

describe("the processing register from the contracts' own words", () => {
  it("states the purpose and the legal basis a field names", () => {
    const basis = "obligation légale (RGPD art. 6(1)(c))";
    const register = registerOf([parseOk(withPurpose(`{ presence_count: "${basis}" }`))]);
    expect(register.entries).toHaveLength(1);
    expect(register.entries[0]).toMatchObject({
      purpose: PURPOSE,
      collected: true,
      legalBasis: basis,
      legalBasisIsDefault: false,
    });
  });

  it("takes one legal basis for the whole contract", () => {
    const register = registerOf([parseOk(withPurpose('"consentement (RGPD art. 6(1)(a))"'))]);
    expect(register.entries[0]?.legalBasis).toBe("consentement (RGPD art. 6(1)(a))");
  });

  it("refuses a legal basis for a field that is absent, not personal or empty", () => {
    expect(parseErrors(withPurpose('{ nope: "x" }')).join("\n")).toMatch(
      /personalDataLegalBasis\.nope: no such field/,
    );
    expect(parseErrors(withPurpose('{ energy_kwh: "x" }')).join("\n")).toMatch(
      /energy_kwh: field is not personal/,
    );
    expect(parseErrors(withPurpose('{ presence_count: "" }')).join("\n")).toMatch(/non-empty text/);
    expect(parseErrors(withPurpose("[1, 2]")).join("\n")).toMatch(/personalDataLegalBasis/);
  });

  it("keeps contracts without the property as they were (backward compatible)", () => {
    const c = parseOk(streetlight);
    expect(c.personalDataLegalBasis).toBeUndefined();
  });

  it("groups the versions that process a field alike, and splits those that differ", () => {
    const v1 = parseOk(withPurpose(undefined, "1.0.0", "2024-01-01"));
    const v2 = parseOk(withPurpose(undefined, "1.1.0", "2025-01-01"));
    const v3 = parseOk(withPurpose('"obligation légale"', "2.0.0", "2026-01-01"));
    const register = registerOf([v3, v1, v2]);
    expect(register.entries.map((e) => [e.versions, e.legalBasis])).toEqual([
      [["1.0.0", "1.1.0"], DEFAULT_LEGAL_BASIS],
      [["2.0.0"], "obligation légale"],
    ]);
  });

  it("takes the platform's hosting location when the contract names none, and flags a transfer", () => {
    const c = parseOk(withPurpose().replace("  - property: hostingLocation\n    value: FR\n", ""));
    const here = registerOf([c]).entries[0];
    expect(here).toMatchObject({
      hostingLocation: "France (hébergement de la collectivité)",
      hostingFromContract: false,
    });
    expect(here?.transfersOutsideEu).toBe(NO_TRANSFER);
    const abroad = registerOf([c], "Virginie, États-Unis").entries[0];
    expect(abroad?.transfersOutsideEu).toMatch(/^à vérifier/);
  });

  it("recognises EU and EEA locations, by code or by name", () => {
    for (const place of ["FR", "France", "DE", "Union européenne", "eu-west-3 (Paris, FR)", "Norvège"]) {
      expect(transfersOf(place), place).toBe(NO_TRANSFER);
    }
    for (const place of ["US", "Royaume-Uni", "Singapour"])
      expect(transfersOf(place), place).not.toBe(NO_TRANSFER);
  });

  it("writes CSV with one row per entry, cells quoted and formulas defused", () => {
    const c = parseOk(withPurpose('"=HYPERLINK(\\"x\\"), dit-on"'));
    const csv = csvOf(registerRows(registerOf([c])));
    const lines = csv.split("\r\n");
    expect(lines[0]).toMatch(/^contrat,nom_contrat,domaine,versions,champ/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"\'=HYPERLINK(""x""), dit-on"');
    expect(lines[1]).toContain(",admin,non,FR,aucun");
  });
});
