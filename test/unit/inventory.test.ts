import { readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Device } from "../../services/domain/types.ts";
import { formatCsvRow, parseCsv } from "../../services/inventory/csv.ts";
import { formatIsoTime, parseIsoTime } from "../../services/inventory/iso-time.ts";
import {
  loadInventoryFile,
  mergeAssignments,
  operatorAt,
  parseAssignmentsCsv,
  parseInventoryCsv,
  parseInventoryGeoJson,
} from "../../services/inventory/load.ts";
import { hashSecret, isSecretHash, verifySecret } from "../../services/inventory/secrets.ts";
import { communeByCode, communesOfEpci } from "../../services/inventory/territory.ts";
import { loadTerritoryFile, territoryProblems } from "../../services/inventory/territory-file.ts";
import { assignmentsToCsv, inventoryToCsv, inventoryToGeoJson } from "../../services/inventory/write.ts";
import { DEMO_SECRETS } from "../../territory/ccphva/demo-secrets.ts";
import {
  CCPHVA_DIR,
  distanceMetres,
  generateCcphvaInventory,
  TOWN_CENTRES,
} from "../../territory/generate.ts";

const DEFAULTS = { ownerId: "ccphva" };
const HEADER = "id,domain,contract,commune,lat,lon,operator,assigned_from";
const T = (iso: string) => parseIsoTime(iso) as number;

/** The error a parser throws, for assertions on its code and listed lines. */
function failure(run: () => unknown): { code: string; lines: string[] } {
  try {
    run();
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, lines: err.message.split("\n").slice(1) };
  }
  throw new Error("expected a failure");
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: { code: string; message: string }) => e,
  );
}

describe("CSV reader (RFC 4180)", () => {
  it("reads quoted commas, doubled quotes and line breaks inside quotes", () => {
    const { records, errors } = parseCsv('a,b,c\n"x, y","say ""hi""","two\nlines"\nlast,,\n');
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["x, y", 'say "hi"', "two\nlines"] },
      { line: 4, fields: ["last", "", ""] },
    ]);
  });

  it("handles CRLF, a byte order mark, blank lines, a missing final line break and an empty quoted field", () => {
    const { records } = parseCsv('\uFEFFa,b\r\n\r\n"",x\r\n"q\r\nr",y');
    expect(records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 3, fields: ["", "x"] },
      { line: 4, fields: ["q\r\nr", "y"] },
    ]);
  });

  it("reports an unterminated quote and text after a closing quote", () => {
    expect(parseCsv('a,"b"c\n').errors).toEqual(["line 1: text after the closing quote of a field"]);
    expect(parseCsv('a\n"never closed\n').errors).toEqual(["line 2: quoted field is never closed"]);
  });

  it("writes fields that read back unchanged", () => {
    const fields = ["plain", "a,b", 'q"uote', "multi\nline", " padded", "", "é"];
    expect(parseCsv(formatCsvRow(fields)).records[0]?.fields).toEqual(fields);
    expect(formatCsvRow(["a", 1.5, undefined, "b,c"])).toBe('a,1.5,,"b,c"');
  });
});

describe("ISO 8601 times", () => {
  it("reads dates as UTC midnight and times with their offset", () => {
    expect(parseIsoTime("2024-01-01")).toBe(Date.UTC(2024, 0, 1));
    expect(parseIsoTime("2024-07-01T08:30:00+02:00")).toBe(Date.UTC(2024, 6, 1, 6, 30));
    expect(parseIsoTime("2024-07-01T06:30:00.250Z")).toBe(Date.UTC(2024, 6, 1, 6, 30, 0, 250));
  });

  it("refuses impossible dates and times without an offset", () => {
    for (const text of ["2024-02-30", "2023-02-29", "2024-13-01", "2024-01-01T10:00:00", "01/01/2024", ""]) {
      expect(parseIsoTime(text), text).toBeUndefined();
    }
    expect(parseIsoTime("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
  });

  it("formats midnight as a date alone", () => {
    expect(formatIsoTime(Date.UTC(2024, 0, 1))).toBe("2024-01-01");
    expect(formatIsoTime(Date.UTC(2024, 0, 1, 6))).toBe("2024-01-01T06:00:00.000Z");
  });
});

describe("inventory CSV", () => {
  it("reads devices, their assignment and typed attributes", () => {
    const csv = [
      `${HEADER},assigned_to,owner,cabinet,power_w,code,note`,
      'lum-1,streetlight,ccphva-streetlight,57038,49.472,5.955,lumiere-est,2024-01-01,,,arm-57038-03,70,007,"rue du Lavoir, côté pair"',
      "lum-2,streetlight,ccphva-streetlight,2A004,41.9,8.7,lumiere-est,2024-01-01T00:00:00+01:00,2025-01-01,other,,-3.5,1e3,",
    ].join("\n");
    const [first, second] = parseInventoryCsv(csv, "inventory.csv", DEFAULTS);
    expect(first).toEqual({
      id: "lum-1",
      domain: "streetlight",
      contractId: "ccphva-streetlight",
      ownerId: "ccphva",
      commune: "57038",
      lat: 49.472,
      lon: 5.955,
      attributes: { cabinet: "arm-57038-03", power_w: 70, code: "007", note: "rue du Lavoir, côté pair" },
      assignments: [{ operatorId: "lumiere-est", from: T("2024-01-01") }],
    } satisfies Device);
    expect(second?.ownerId).toBe("other");
    expect(second?.attributes).toEqual({ power_w: -3.5, code: "1e3" });
    expect(second?.assignments).toEqual([
      { operatorId: "lumiere-est", from: Date.UTC(2023, 11, 31, 23), to: T("2025-01-01") },
    ]);
  });

  it("lists every problem of the file at once, each with its line", () => {
    const csv = [
      `${HEADER},assigned_to`,
      "ok-1,streetlight,c,57038,49.4,5.9,op,2024-01-01,",
      "bad-lat,streetlight,c,57038,91,5.9,op,2024-01-01,",
      "bad-lon,streetlight,c,57038,49.4,-181,op,2024-01-01,",
      "bad-commune,streetlight,c,5703,49.4,5.9,op,2024-01-01,",
      'bad-empty,"",,57038,49.4,5.9,op,2024-01-01,',
      "bad-period,streetlight,c,57038,49.4,5.9,op,2024-06-01,2024-01-01",
      "bad-date,streetlight,c,57038,49.4,5.9,op,2024-02-30,",
      "bad-number,streetlight,c,57038,49,4,5.9,op,2024-01-01,",
      "ok-1,streetlight,c,57038,49.4,5.9,op,2024-01-01,",
    ].join("\n");
    const { code, lines } = failure(() => parseInventoryCsv(csv, "inventory.csv", DEFAULTS));
    expect(code).toBe("ERR_INVENTORY_INVALID");
    const linesCited = lines.map((l) => Number(/^line (\d+)/.exec(l)?.[1]));
    expect(linesCited).toEqual([3, 4, 5, 6, 6, 7, 8, 9, 10]);
    expect(lines.at(-1)).toMatch(/^line 10 \(ok-1\): .*line 2$/);
  });

  it("counts physical lines across quoted line breaks", () => {
    const csv = `${HEADER},note\nx,d,c,57038,1,1,op,2024-01-01,"two\nlines"\ny,d,c,57038,99,1,op,2024-01-01,\n`;
    expect(failure(() => parseInventoryCsv(csv, "f", DEFAULTS)).lines[0]).toMatch(/^line 4 \(y\): lat/);
  });

  it("refuses a header without the required columns, or separated by semicolons", () => {
    expect(failure(() => parseInventoryCsv("id,domain,lat\n", "f", DEFAULTS)).lines).toEqual([
      "line 1: missing required column(s): contract, commune, lon, operator, assigned_from",
    ]);
    const semicolons = failure(() => parseInventoryCsv(`${HEADER.replaceAll(",", ";")}\n`, "f", DEFAULTS));
    expect(semicolons.lines[0]).toMatch(/semicolons/);
    expect(failure(() => parseInventoryCsv("", "f", DEFAULTS)).code).toBe("ERR_INVENTORY_INVALID");
  });
});

const feature = (properties: Record<string, unknown>, coordinates: unknown = [5.955, 49.472]) => ({
  type: "Feature",
  geometry: { type: "Point", coordinates },
  properties,
});
const collection = (...features: unknown[]) => JSON.stringify({ type: "FeatureCollection", features });
const BASE = { domain: "water_pressure", contract: "ccphva-water-pressure", commune: "57038" };

describe("inventory GeoJSON", () => {
  it("reads Point features, with single or listed assignments", () => {
    const text = collection(
      feature({
        id: "pre-1",
        ...BASE,
        operator: "eaux-alzette",
        assigned_from: "2024-01-01",
        sector: "s",
        n: 2,
      }),
      {
        ...feature({
          ...BASE,
          assignments: [
            { operator: "eaux-alzette", from: "2024-01-01" },
            { operator: "ancien", from: "2019-01-01", to: "2024-01-01" },
          ],
          note: null,
        }),
        id: "pre-2",
      },
    );
    const [first, second] = parseInventoryGeoJson(text, "inventory.geojson", DEFAULTS);
    expect(first).toMatchObject({ id: "pre-1", lat: 49.472, lon: 5.955, attributes: { sector: "s", n: 2 } });
    expect(second?.id).toBe("pre-2");
    expect(second?.attributes).toEqual({});
    expect(second?.assignments.map((a) => a.operatorId)).toEqual(["eaux-alzette", "ancien"]);
  });

  it("lists every problem with its feature index", () => {
    const text = collection(
      feature({ id: "a", ...BASE, operator: "x", assigned_from: "2024-01-01" }, "not a point"),
      { type: "Point" },
      feature({ id: "c", ...BASE, operator: "x", assignments: [] }),
      feature({
        id: "d",
        ...BASE,
        assignments: [
          { operator: "x", from: "2024-01-01" },
          { operator: "y", from: "2025-01-01" },
        ],
      }),
      feature({ id: "e", ...BASE, commune: 57038, operator: "x", assigned_from: "2024-01-01", tags: ["a"] }),
    );
    const { lines } = failure(() => parseInventoryGeoJson(text, "f.geojson", DEFAULTS));
    expect(lines.map((l) => /^(features\[\d\]|device \w)/.exec(l)?.[1])).toEqual([
      "features[0]",
      "features[1]",
      "features[2]",
      "features[2]",
      "features[4]",
      "features[4]",
      "device d",
    ]);
    expect(lines[6]).toBe("device d: assignment x [2024-01-01, open) overlaps y [2025-01-01, open)");
  });

  it("refuses what is not a FeatureCollection", () => {
    expect(failure(() => parseInventoryGeoJson("{", "f", DEFAULTS)).lines[0]).toMatch(/^not valid JSON/);
    expect(failure(() => parseInventoryGeoJson('{"type":"Feature"}', "f", DEFAULTS)).code).toBe(
      "ERR_INVENTORY_INVALID",
    );
  });
});

describe("assignments history", () => {
  const devices = parseInventoryCsv(
    `${HEADER}\nlum-1,streetlight,c,57038,49.4,5.9,lumiere-est,2026-01-01\nlum-2,streetlight,c,57038,49.4,5.9,lumiere-est,2026-01-01\n`,
    "inventory.csv",
    DEFAULTS,
  );

  it("merges the earlier periods of a hand-over, in time order, counting a repeated period once", () => {
    const rows = parseAssignmentsCsv(
      "device_id,operator,from,to\nlum-1,eclairage-ancien,2018-01-01,2026-01-01\nlum-1,lumiere-est,2026-01-01,\n",
    );
    const [one, two] = mergeAssignments(devices, rows);
    expect(one?.assignments).toEqual([
      { operatorId: "eclairage-ancien", from: T("2018-01-01"), to: T("2026-01-01") },
      { operatorId: "lumiere-est", from: T("2026-01-01") },
    ]);
    expect(two?.assignments).toHaveLength(1);
  });

  it("refuses overlapping periods and unknown devices", () => {
    const rows = parseAssignmentsCsv(
      "device_id,operator,from,to\nlum-1,autre,2025-06-01,2026-02-01\nlum-9,autre,2020-01-01,2021-01-01\n",
    );
    const { code, lines } = failure(() => mergeAssignments(devices, rows, "assignments.csv"));
    expect(code).toBe("ERR_INVENTORY_INVALID");
    expect(lines).toEqual([
      "line 3: device lum-9 is not in the inventory",
      "device lum-1: assignment autre [2025-06-01, 2026-02-01) overlaps lumiere-est [2026-01-01, open)",
    ]);
  });

  it("checks each row's dates", () => {
    const text =
      "device_id,operator,from,to\nlum-1,a,2024-01-01,2024-01-01\n,a,2024-01-01,\nlum-2,,someday,\n";
    expect(failure(() => parseAssignmentsCsv(text)).lines.map((l) => l.slice(0, 6))).toEqual([
      "line 2",
      "line 3",
      "line 4",
      "line 4",
    ]);
  });
});

describe("operatorAt", () => {
  const device = {
    assignments: [
      { operatorId: "before", from: T("2020-01-01"), to: T("2024-01-01") },
      { operatorId: "after", from: T("2024-01-01") },
    ],
  } as Device;

  it("includes the start of a period and excludes its end", () => {
    expect(operatorAt(device, T("2020-01-01") - 1)).toBeUndefined();
    expect(operatorAt(device, T("2020-01-01"))).toBe("before");
    expect(operatorAt(device, T("2024-01-01") - 1)).toBe("before");
    expect(operatorAt(device, T("2024-01-01"))).toBe("after");
    expect(operatorAt(device, T("2099-01-01"))).toBe("after");
    expect(
      operatorAt({ ...device, assignments: device.assignments.slice(0, 1) }, T("2024-01-01")),
    ).toBeUndefined();
  });
});

describe("loadInventoryFile", () => {
  it("chooses the reader by extension and merges an assignments file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lanterne-inventory-"));
    const devices = parseInventoryCsv(
      `${HEADER}\nlum-1,streetlight,c,57038,49.4,5.9,new,2026-01-01\n`,
      "f",
      DEFAULTS,
    );
    await writeFile(join(dir, "inv.CSV"), inventoryToCsv(devices));
    await writeFile(join(dir, "inv.json"), inventoryToGeoJson(devices));
    await writeFile(join(dir, "old.csv"), "device_id,operator,from,to\nlum-1,old,2020-01-01,2026-01-01\n");
    expect(await loadInventoryFile(join(dir, "inv.CSV"), DEFAULTS)).toEqual(devices);
    expect(await loadInventoryFile(join(dir, "inv.json"), DEFAULTS)).toEqual(devices);
    const merged = await loadInventoryFile(join(dir, "inv.CSV"), DEFAULTS, {
      assignmentsFile: join(dir, "old.csv"),
    });
    expect(merged[0]?.assignments.map((a) => a.operatorId)).toEqual(["old", "new"]);
    expect(assignmentsToCsv(merged)).toBe("device_id,operator,from,to\nlum-1,old,2020-01-01,2026-01-01\n");
  });

  it("refuses an unknown extension and a missing file with the inventory error", async () => {
    expect((await rejection(loadInventoryFile("inventory.xlsx", DEFAULTS))).code).toBe(
      "ERR_INVENTORY_INVALID",
    );
    expect((await rejection(loadInventoryFile("/nonexistent/inventory.csv", DEFAULTS))).code).toBe(
      "ERR_INVENTORY_INVALID",
    );
  });
});

describe("territory facts (@etalab/decoupage-administratif)", () => {
  it("gives the 8 communes of the CCPHVA with their populations", () => {
    const communes = communesOfEpci("245701404");
    expect(communes.map((c) => [c.code, c.name, c.population])).toEqual([
      ["54521", "Thil", 2016],
      ["54580", "Villerupt", 10102],
      ["57038", "Audun-le-Tiche", 7356],
      ["57041", "Aumetz", 2418],
      ["57096", "Boulange", 2427],
      ["57529", "Ottange", 2960],
      ["57565", "Rédange", 1014],
      ["57603", "Russange", 1263],
    ]);
    expect(communes.every((c) => c.epci === "245701404")).toBe(true);
  });

  it("looks communes up by INSEE code", () => {
    expect(communeByCode("57097")?.name).toBe("Boulay-Moselle");
    expect(communeByCode("57038")).toEqual({
      code: "57038",
      name: "Audun-le-Tiche",
      population: 7356,
      epci: "245701404",
    });
    expect(communeByCode("99999")).toBeUndefined();
    expect(communesOfEpci("000000000")).toEqual([]);
  });
});

describe("generated CCPHVA inventory", () => {
  const generated = generateCcphvaInventory();
  const csvPath = join(CCPHVA_DIR, "inventory.csv");
  const geoPath = join(CCPHVA_DIR, "inventory.geojson");

  it("is what the generator writes (no drift between generator and files)", async () => {
    expect(await readFile(csvPath, "utf8")).toBe(inventoryToCsv(generated));
    expect(await readFile(geoPath, "utf8")).toBe(inventoryToGeoJson(generated));
  });

  it("loads to the same devices from CSV and from GeoJSON", async () => {
    const fromCsv = await loadInventoryFile(csvPath, { ownerId: "unused" });
    const fromGeoJson = await loadInventoryFile(geoPath, { ownerId: "unused" });
    expect(fromCsv).toEqual(generated);
    expect(fromGeoJson).toEqual(fromCsv);
  });

  it("has the fleet's size, spread over the 8 communes by population", () => {
    const count = (pred: (d: Device) => boolean) => generated.filter(pred).length;
    expect(count((d) => d.domain === "streetlight")).toBe(3000);
    expect(count((d) => d.domain === "water_pressure")).toBe(120);
    expect(count((d) => d.domain === "waste_container")).toBe(400);
    const codes = communesOfEpci("245701404").map((c) => c.code);
    expect(new Set(generated.map((d) => d.commune))).toEqual(new Set(codes));
    expect(count((d) => d.commune === "54580" && d.domain === "streetlight")).toBe(1025);
    expect(count((d) => d.commune === "57565" && d.domain === "streetlight")).toBe(103);
    expect(new Set(generated.map((d) => d.attributes.cabinet).filter(Boolean)).size).toBe(60);
  });

  it("gives each commune 1 to 3 sectors and keeps assets nearest their own town centre", () => {
    for (const code of Object.keys(TOWN_CENTRES)) {
      const sectors = new Set(
        generated.filter((d) => d.commune === code && d.attributes.sector).map((d) => d.attributes.sector),
      );
      expect(sectors.size).toBeGreaterThanOrEqual(1);
      expect(sectors.size).toBeLessThanOrEqual(3);
    }
    const nearest = (d: Device) =>
      Object.entries(TOWN_CENTRES).sort(
        ([, a], [, b]) => distanceMetres(d, a) - distanceMetres(d, b),
      )[0]?.[0];
    expect(generated.filter((d) => nearest(d) !== d.commune)).toEqual([]);
  });

  it("uses the attribute values of the brief", () => {
    for (const d of generated) {
      if (d.domain === "streetlight") expect([35, 50, 70, 100]).toContain(d.attributes.power_w);
      if (d.domain === "waste_container") {
        expect(["glass", "paper", "packaging", "household"]).toContain(d.attributes.stream);
        expect(d.attributes.depth_mm).toBeGreaterThanOrEqual(1500);
        expect(d.attributes.depth_mm).toBeLessThanOrEqual(2500);
      }
    }
  });
});

describe("secrets", () => {
  it("hashes with scrypt and a random salt, and verifies", async () => {
    const hash = await hashSecret("s3cret");
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]+$/);
    expect(await hashSecret("s3cret")).not.toBe(hash);
    expect(await verifySecret("s3cret", hash)).toBe(true);
    expect(await verifySecret("s3cret ", hash)).toBe(false);
    expect(await verifySecret("s3cret", "plain-text")).toBe(false);
    expect(await verifySecret("s3cret", hash.replace("$16384$", "$1048577$"))).toBe(false);
    expect(isSecretHash(hash)).toBe(true);
  });

  it("stores in territory.yaml the hashes of the demo secrets", async () => {
    const territory = parseYaml(await readFile(join(CCPHVA_DIR, "territory.yaml"), "utf8")) as {
      owner: { id: string; siren: string };
      epci: string;
      operators: { id: string; username: string; secret_hash: string }[];
      users: { id: string; role: string; token_hash: string }[];
      integrations: { id: string; webhook_secret_hash?: string }[];
    };
    expect(territory.owner).toMatchObject({ id: "ccphva", siren: "245701404" });
    expect(territory.epci).toBe("245701404");
    const entries = [
      ...territory.operators.map((o) => [o.id, o.secret_hash] as const),
      ...territory.users.map((u) => [u.id, u.token_hash] as const),
      ...territory.integrations.flatMap((i) =>
        i.webhook_secret_hash ? [[i.id, i.webhook_secret_hash] as const] : [],
      ),
    ];
    // The demo's LANTERNE_SECRET_KEY has no hash: it opens lorawan-abp.yaml (simulator-lorawan.test.ts).
    const hashed = Object.keys(DEMO_SECRETS).filter((id) => id !== "secret-key");
    expect(entries.map(([id]) => id).sort()).toEqual(hashed.sort());
    for (const [id, hash] of entries) {
      expect(await verifySecret(DEMO_SECRETS[id as keyof typeof DEMO_SECRETS], hash), id).toBe(true);
    }
    expect(territory.operators.every((o) => o.username === o.id)).toBe(true);
  });
});

describe("territory.yaml schema", () => {
  const demoText = () => readFileSync(join(CCPHVA_DIR, "territory.yaml"), "utf8");
  const demo = () => parseYaml(demoText()) as Record<string, unknown>;
  const problems = (doc: unknown) => territoryProblems(doc).map((p) => `${p.path}: ${p.message}`);

  it("loads the demo territory", async () => {
    expect(problems(demo())).toEqual([]);
    const territory = await loadTerritoryFile(CCPHVA_DIR);
    expect(territory.owner).toEqual({
      id: "ccphva",
      name: "Communauté de communes du Pays Haut Val d'Alzette",
      siren: "245701404",
    });
    expect(territory.operators.map((o) => o.id)).toEqual(["lumiere-est", "eaux-alzette", "collecte-nord"]);
    expect(territory.users.map((u) => [u.id, u.role])).toEqual([
      ["admin", "admin"],
      ["technicien", "technician"],
    ]);
    expect(territory.integrations.map((i) => [i.id, i.kind, i.operatorId])).toEqual([
      ["cs-collecte", "chirpstack", "collecte-nord"],
      ["tts-collecte", "tts", "collecte-nord"],
    ]);
    expect(territory.semtechUdp?.gateways.map((g) => g.eui)).toEqual([
      "aa555a0000054521",
      "aa555a0000054522",
    ]);
    expect(territory.inventoryPath).toBe(join(resolve(CCPHVA_DIR), "inventory.csv"));
  });

  it("refuses an unknown key, wherever it is, rather than ignoring a typo", () => {
    const doc = demo();
    doc.inventry = doc.inventory;
    (doc.semtech_udp as Record<string, unknown>).dedup_window = 50;
    expect(problems(doc)).toEqual([
      "/inventry: unknown key (a typo?)",
      "/semtech_udp/dedup_window: unknown key (a typo?)",
    ]);
  });

  it("refuses a wrong type and a missing key, each with its path", () => {
    const doc = demo();
    const [first, second] = doc.users as Record<string, unknown>[];
    (doc.owner as Record<string, unknown>).siren = 245701404;
    delete (doc.operators as Record<string, unknown>[])[1]?.secret_hash;
    if (first) first.role = "boss";
    if (second) second.token_hash = "clear-token";
    delete doc.inventory;
    expect(problems(doc)).toEqual([
      "/inventory: is missing",
      "/owner/siren: must be the collectivity's SIREN, 9 digits written as text, got 245701404",
      "/operators/1/secret_hash: is missing",
      '/users/0/role: must be the user\'s role: admin or technician, got "boss"',
      // A value under a secret's key is never repeated in a message.
      expect.stringMatching(
        /^\/users\/1\/token_hash: must be the scrypt hash of the user's API token.*secret\.txt$/,
      ),
    ]);
  });

  it("says where a clear secret should go", () => {
    const doc = demo();
    const integrations = doc.integrations as Record<string, unknown>[];
    if (integrations[0]) integrations[0].password = "hunter2";
    expect(problems(doc)).toEqual([
      "/integrations/0/password: unknown key: never in the file: name the environment variable that holds it in password_env",
    ]);
  });

  it("checks what refers to the rest of the file once the shapes are right", () => {
    const doc = demo();
    const integrations = doc.integrations as Record<string, unknown>[];
    const operators = doc.operators as Record<string, unknown>[];
    if (integrations[1]) integrations[1].operator = "collecte-sud";
    if (integrations[0]) delete integrations[0].url;
    if (operators[2]) operators[2].username = "lumiere-est";
    expect(problems(doc)).toEqual([
      "/operators/2/username: lumiere-est is already at /operators/0",
      "/integrations/0/url: is missing: a chirpstack integration is followed at its broker",
      '/integrations/1/operator: must be one of the operators (lumiere-est, eaux-alzette, collecte-nord), got "collecte-sud"',
    ]);
  });

  it("refuses to load such a file, with the territory error and every problem listed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lanterne-territory-"));
    await writeFile(
      join(dir, "territory.yaml"),
      demoText().replace("inventory: inventory.csv", "inventory: inventory.csv\ncontract: contracts"),
    );
    const error = await rejection(loadTerritoryFile(dir));
    expect(error.code).toBe("ERR_TERRITORY_INVALID");
    expect(error.message).toBe(
      `Invalid territory file ${join(dir, "territory.yaml")}:\n  - /contract: unknown key (a typo?)`,
    );
    await writeFile(join(dir, "territory.yaml"), "owner: [\n");
    expect((await rejection(loadTerritoryFile(dir))).code).toBe("ERR_TERRITORY_INVALID");
  });
});

describe("inventory rows schema", () => {
  it("names the column and line of a missing value, a wrong type and an impossible date", () => {
    const csv = [
      `${HEADER},assigned_to,owner`,
      "a,streetlight,c,57038,49.4,5.9,,2024-01-01,,",
      'b,streetlight,c,57038,"49,4",5.9,op,2024-01-01,,',
      "c,streetlight,c,57038,49.4,5.9,op,2024-01-01,2024-02-30,",
    ].join("\n");
    expect(failure(() => parseInventoryCsv(csv, "inventory.csv", DEFAULTS)).lines).toEqual([
      "line 2 (a): operator: is missing",
      'line 3 (b): lat: must be a latitude in decimal degrees (WGS 84) written with a dot, from -90 to 90, got "49,4"',
      expect.stringMatching(
        /^line 4 \(c\): assigned_to: must be the end of the period.*ISO 8601.*got "2024-02-30"$/,
      ),
    ]);
  });

  it("refuses an unknown key in a GeoJSON assignment and an attribute that is neither text nor number", () => {
    const text = collection(
      feature({
        id: "p",
        ...BASE,
        assignments: [{ operator: "x", form: "2024-01-01" }],
        tags: ["a"],
      }),
    );
    expect(failure(() => parseInventoryGeoJson(text, "f.geojson", DEFAULTS)).lines).toEqual([
      "features[0] (p): assignments[0].from: is missing",
      "features[0] (p): assignments[0].form: unknown key (a typo?)",
      'features[0] (p): tags: must be a text or a number, got ["a"]',
    ]);
  });

  it("reads the same entry in both formats the same way, down to the message", () => {
    const csv = `${HEADER},assigned_to\nq,water_pressure,ccphva-water-pressure,57038,49.4,5.9,op,2024-06-01,2024-01-01\n`;
    const geojson = collection({
      ...feature({
        id: "q",
        ...BASE,
        operator: "op",
        assigned_from: "2024-06-01",
        assigned_to: "2024-01-01",
      }),
    });
    const expected = "assigned_from 2024-06-01 is not before assigned_to 2024-01-01";
    expect(failure(() => parseInventoryCsv(csv, "f.csv", DEFAULTS)).lines).toEqual([
      `line 2 (q): ${expected}`,
    ]);
    expect(failure(() => parseInventoryGeoJson(geojson, "f.geojson", DEFAULTS)).lines).toEqual([
      `features[0] (q): ${expected}`,
    ]);
  });
});

describe("territory.yaml outlines", () => {
  const demoText = () => readFileSync(join(CCPHVA_DIR, "territory.yaml"), "utf8");
  const demoOutlines = () =>
    JSON.parse(readFileSync(join(CCPHVA_DIR, "communes.geojson"), "utf8")) as {
      features: Array<{ properties: Record<string, unknown>; geometry: Record<string, unknown> }>;
    };

  /** A territory folder with the demo's file and these outlines. */
  async function territoryWith(outlines: unknown): Promise<{ dir: string; path: string }> {
    const dir = await mkdtemp(join(tmpdir(), "lanterne-outlines-"));
    await writeFile(join(dir, "territory.yaml"), demoText());
    const path = join(dir, "communes.geojson");
    await writeFile(path, JSON.stringify(outlines));
    return { dir, path };
  }

  it("loads the demo communes' outlines, one per commune of the EPCI, by INSEE code", async () => {
    const territory = await loadTerritoryFile(CCPHVA_DIR);
    const codes = communesOfEpci("245701404").map((c) => c.code);
    expect([...(territory.outlines?.keys() ?? [])].sort()).toEqual(codes);
    expect(territory.outlines?.get("54521")?.type).toBe("Polygon");
  });

  it("refuses a geometry that is not a polygon, with the feature's path", async () => {
    const doc = demoOutlines();
    const [first, second, third] = doc.features;
    if (first) first.geometry = { type: "Point", coordinates: [5.9, 49.4] };
    if (second)
      second.geometry = {
        type: "Polygon",
        coordinates: [
          [
            [5.9, 49.4],
            [5.91, 49.41],
            [5.9, 49.4],
          ],
        ],
      };
    if (third)
      third.geometry = {
        type: "Polygon",
        coordinates: [
          [
            [5.9, 49.4],
            [5.91, 149],
            [5.92, 49.4],
            [5.9, 49.4],
          ],
        ],
      };
    const { dir, path } = await territoryWith(doc);
    const error = await rejection(loadTerritoryFile(dir));
    expect(error.code).toBe("ERR_TERRITORY_INVALID");
    expect(error.message.split("\n")).toEqual([
      `Invalid territory file ${path}:`,
      '  - /features/0/geometry/type: must be Polygon or MultiPolygon, got "Point"',
      "  - /features/1/geometry/coordinates/0: must be a ring of 4 positions or more",
      "  - /features/2/geometry/coordinates/0/1: must be a position [lon, lat] in degrees (WGS 84)",
    ]);
  });

  it("refuses a commune outside the territory, a missing code and a code given twice", async () => {
    const doc = demoOutlines();
    const [first, second, third] = doc.features;
    if (first) first.properties = { code: "75056", nom: "Paris" };
    if (second) second.properties = { nom: "sans code" };
    if (third) third.properties = { ...doc.features[3]?.properties };
    const { dir, path } = await territoryWith(doc);
    const error = await rejection(loadTerritoryFile(dir));
    expect(error.code).toBe("ERR_TERRITORY_INVALID");
    expect(error.message.split("\n")).toEqual([
      `Invalid territory file ${path}:`,
      "  - /features/0/properties/code: 75056 is not a commune of the territory",
      "  - /features/1/properties/code: must be the commune's INSEE code, 5 characters written as text, got undefined",
      "  - /features/3/properties/code: 57041 is already at /features/2",
    ]);
  });

  it("refuses a file that is not a FeatureCollection, or not JSON", async () => {
    const { dir, path } = await territoryWith({ type: "Feature" });
    const error = await rejection(loadTerritoryFile(dir));
    expect(error.code).toBe("ERR_TERRITORY_INVALID");
    expect(error.message).toContain(`${path}:\n  - /: must be a GeoJSON FeatureCollection`);
    await writeFile(path, "{");
    expect((await rejection(loadTerritoryFile(dir))).code).toBe("ERR_TERRITORY_INVALID");
  });
});
