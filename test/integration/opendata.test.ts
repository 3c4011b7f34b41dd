import { join } from "node:path";
import { check } from "@placemarkio/check-geojson";
import rdf from "@zazuko/env-node";
import { parquetReadObjects } from "hyparquet";
import jsonld from "jsonld";
import { Parser } from "n3";
import SHACLValidator from "rdf-validate-shacl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv, readWithSchema, tableschema } from "../helpers/open-formats.ts";
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The open channel on the real platform: containers' readings two days ago go through ingestion
 * and the rollups; an administrator approves a dataset; the publisher releases it; the public
 * reads figures equal to those recomputed here from the raw readings, with statistical secrecy,
 * in four formats each read by an independent library, and a DCAT-AP 3 catalogue that conforms
 * to the official shapes. Late data make a new version, never a silent change.
 */

let t: TestPlatform;
const collector = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);
const DATASET = "dechets-taux-de-remplissage";
const FULL = "dechets-conteneurs-pleins";
const DAY = 86_400_000;
const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;

/** Containers per commune fed that day: 57565 has 3 (under the contract's 5), 57603 has 6. */
const FED: Record<string, number> = { "57038": 12, "54580": 9, "57603": 6, "57565": 3 };
const raw = new Map<string, number[]>();
/** Every filling level sent, for the figures recomputed here. */
const sent: Array<{ device: string; time: string; value: number }> = [];

function container(commune: string, i: number): string {
  return `pav-${commune}-${String(i).padStart(3, "0")}`;
}

async function post(readings: { device: string; time: string; data: Record<string, unknown> }[]) {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    body: JSON.stringify({ readings }),
    headers: { "content-type": "application/json", authorization: collector },
  });
  const body = (await res.json()) as { accepted: number };
  expect(res.status).toBe(200);
  return body;
}

/** Three readings of each container on the day; fills vary by commune and container. */
async function feed(commune: string, count: number, from = 1, hourOffset = 0) {
  const readings = [];
  for (let i = from; i < from + count; i++) {
    for (const h of [6, 12, 18]) {
      const fill = Math.round((((i * 7 + h + commune.length) % 100) / 100) * 1000) / 1000;
      readings.push({
        device: container(commune, i),
        time: new Date(day + (h + hourOffset) * 3_600_000).toISOString(),
        data: { filling_level: fill },
      });
      raw.set(commune, [...(raw.get(commune) ?? []), fill]);
      sent.push({
        device: container(commune, i),
        time: new Date(day + (h + hourOffset) * 3_600_000).toISOString(),
        value: fill,
      });
    }
  }
  const verdict = await post(readings);
  expect(verdict.accepted).toBe(readings.length);
}

async function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${t.apiUrl}${path}`, { headers });
}

interface Records {
  total: number;
  records: Array<{
    place_code: string;
    value: number | null;
    devices: number | null;
    status: string;
    version: number;
  }>;
}

async function records(): Promise<Map<string, Records["records"][number]>> {
  const res = await get(
    `/opendata/datasets/${DATASET}/records?from=${new Date(day).toISOString()}&limit=100`,
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as Records;
  return new Map(body.records.map((r) => [r.place_code, r]));
}

async function approve(id: string) {
  const res = await fetch(`${t.apiUrl}/api/v1/opendata/datasets/${id}/approve`, {
    method: "POST",
    headers: { authorization: admin },
  });
  expect(res.status).toBe(200);
}

async function publish() {
  await t.platform.rollups.pass();
  return t.platform.publisher.run();
}

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

beforeAll(async () => {
  t = await startTestPlatform();
  for (const [commune, count] of Object.entries(FED)) await feed(commune, count);
  await t.platform.rollups.pass();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("the open channel", () => {
  it("publishes nothing before an administrator approves a dataset, who can preview it", async () => {
    expect((await publish()).every((r) => r.skipped === "not approved")).toBe(true);
    const catalog = (await (await get("/opendata/catalog")).json()) as { datasets: unknown[] };
    expect(catalog.datasets).toEqual([]);
    expect((await get(`/opendata/datasets/${DATASET}/records`)).status).toBe(404);
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY).toISOString();
    const preview = await fetch(
      `${t.apiUrl}/api/v1/opendata/datasets/${DATASET}/preview?from=${from}&to=${to}`,
      {
        headers: { authorization: admin },
      },
    );
    expect(preview.status).toBe(200);
    expect(((await preview.json()) as { records: unknown[] }).records).toHaveLength(4);
    const anonymous = await fetch(
      `${t.apiUrl}/api/v1/opendata/datasets/${DATASET}/preview?from=${from}&to=${to}`,
    );
    expect(anonymous.status).toBe(401);
  });

  it("publishes the approved dataset with figures equal to the raw readings', and secrecy", async () => {
    await approve(DATASET);
    const runs = await publish();
    expect(runs.find((r) => r.dataset === DATASET)?.written).toBeGreaterThan(0);
    expect(runs.find((r) => r.dataset === FULL)?.skipped).toBe("not approved");
    const byPlace = await records();
    for (const commune of ["57038", "54580"]) {
      const r = byPlace.get(commune);
      expect(r?.status).toBe("published");
      expect(r?.devices).toBe(FED[commune]);
      expect(r?.value).toBeCloseTo(mean(raw.get(commune) ?? []), 9);
    }
    expect(byPlace.get("57565")).toMatchObject({ status: "suppressed-primary", value: null, devices: null });
    // 57565 alone hidden would be the territory total minus the rest: the smallest other goes too.
    expect(byPlace.get("57603")).toMatchObject({
      status: "suppressed-secondary",
      value: null,
      devices: null,
    });
    const text = await (await get(`/opendata/datasets/${DATASET}/records`)).text();
    expect(text).not.toMatch(/pav-\d{5}-\d{3}/);
    expect(text).not.toContain("collecte-nord");
  });

  it("downloads CSV that validates against its Table Schema, GeoJSON, JSON and Parquet with the same figures", async () => {
    const schema = (await (await get(`/opendata/datasets/${DATASET}/schema.json`)).json()) as object;
    expect((await tableschema.Schema.load(schema, { strict: true })).valid).toBe(true);
    const csvRes = await get(`/opendata/datasets/${DATASET}/data.csv`);
    expect(csvRes.headers.get("content-type")).toMatch(/^text\/csv/);
    const csv = await csvRes.text();
    const rows = await readWithSchema(csv, schema);
    expect(parseCsv(csv)).toHaveLength(rows.length + 1);
    const published = await records();
    for (const row of rows) {
      const r = published.get(String(row.place_code));
      expect(row.value === null ? null : Number(row.value)).toBe(r?.value);
      expect(row.status).toBe(r?.status);
    }
    const geojson = await (await get(`/opendata/datasets/${DATASET}/data.geojson`)).text();
    const collection = check(geojson) as unknown as {
      features: Array<{ properties: { place_code: string; value: number | null } }>;
    };
    expect(collection.features.map((f) => f.properties.place_code).sort()).toEqual(
      [...published.keys()].sort(),
    );
    const parquet = await (await get(`/opendata/datasets/${DATASET}/data.parquet`)).arrayBuffer();
    const objects = (await parquetReadObjects({ file: parquet })) as Array<{
      place_code: string;
      value: number | null;
    }>;
    for (const o of objects) expect(o.value).toBe(published.get(o.place_code)?.value);
    const json = (await (await get(`/opendata/datasets/${DATASET}/data.json`)).json()) as {
      records: unknown[];
    };
    expect(json.records).toHaveLength(published.size);
    const meta = (await (await get(`/opendata/datasets/${DATASET}`)).json()) as {
      downloads: Record<string, number>;
    };
    expect(meta.downloads).toMatchObject({ csv: 1, geojson: 1, parquet: 1, json: 1 });
  });

  it("describes the catalogue in DCAT-AP 3 (JSON-LD and Turtle) conforming to the official shapes", async () => {
    const doc = (await (await get("/opendata/catalog.jsonld")).json()) as object;
    const nquads = (await jsonld.toRDF(doc, { format: "application/n-quads" })) as string;
    const data = rdf.dataset(new Parser({ format: "N-Quads" }).parse(nquads));
    const shapesText = await rdf.fromFile(
      join(import.meta.dirname, "../../../shared/reference/dcat-ap-3.0.0-SHACL.ttl"),
    );
    const shapes = await rdf.dataset().import(shapesText);
    const report = await new SHACLValidator(shapes, { factory: rdf }).validate(data);
    expect(
      report.results.map((r) => `${r.focusNode?.value} ${r.path?.value} ${r.message.map((m) => m.value)}`),
    ).toEqual([]);
    expect(report.conforms).toBe(true);
    expect(nquads).toContain(`/opendata/datasets/${DATASET}>`);
    const turtle = await (await get("/opendata/catalog.ttl")).text();
    expect(new Parser({ format: "text/turtle" }).parse(turtle).length).toBe(data.size);
  });

  it("answers 304 to a client whose copy is current, and every origin (CORS)", async () => {
    const first = await get(`/opendata/datasets/${DATASET}/data.csv`, { origin: "https://reuser.example" });
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    expect(first.headers.get("last-modified")).not.toBeNull();
    expect(first.headers.get("cache-control")).toMatch(/public/);
    const again = await get(`/opendata/datasets/${DATASET}/data.csv`, { "if-none-match": etag });
    expect(again.status).toBe(304);
  });

  it("records late data as a new version with its reason, and holds back a revision by too few devices", async () => {
    const before = await records();
    // Six more containers of 57038 report for that day: enough devices to revise the figure.
    await feed("57038", 6, 20);
    await publish();
    const after = await records();
    const revised = after.get("57038");
    expect(revised).toMatchObject({ version: 2, devices: 18, status: "published" });
    expect(revised?.value).toBeCloseTo(mean(raw.get("57038") ?? []), 9);
    expect(after.get("54580")).toEqual(before.get("54580"));
    const log = (await (await get(`/opendata/datasets/${DATASET}/changelog`)).json()) as {
      versions: Array<{ place_code: string; version: number; reason: string; previous?: { value: number } }>;
    };
    const entry = log.versions.find((v) => v.place_code === "57038" && v.version === 2);
    expect(entry?.reason).toBe("late data");
    expect(entry?.previous?.value).toBe(before.get("57038")?.value);
    // One container more for 54580: the difference of two releases would be its own readings.
    await feed("54580", 1, 30);
    const runs = await publish();
    expect(runs.find((r) => r.dataset === DATASET)?.withheld).toBeGreaterThan(0);
    expect((await records()).get("54580")).toEqual(before.get("54580"));
  });

  it("publishes a per-asset dataset only where the contract says so: each container's own rounded mean", async () => {
    const ASSETS = "dechets-remplissage-par-conteneur";
    await approve(ASSETS);
    await publish();
    const res = await get(
      `/opendata/datasets/${ASSETS}/records?from=${new Date(day).toISOString()}&place=pav-57565-001,pav-57038-002&limit=10`,
    );
    const body = (await res.json()) as Records;
    const byPlace = new Map(body.records.map((r) => [r.place_code, r]));
    // 57565 has three containers, under the contract's threshold: per asset, no threshold applies.
    for (const id of ["pav-57565-001", "pav-57038-002"]) {
      const commune = id.slice(4, 9);
      const fills = [6, 12, 18].map(
        (h) => Math.round((((Number(id.slice(-3)) * 7 + h + commune.length) % 100) / 100) * 1000) / 1000,
      );
      expect(byPlace.get(id)).toMatchObject({ status: "published", devices: 1 });
      expect(byPlace.get(id)?.value).toBe(Math.round(mean(fills) * 10) / 10);
    }
    const geo = check(
      await (await get(`/opendata/datasets/${ASSETS}/data.geojson?place=pav-57565-001`)).text(),
    ) as unknown as {
      features: Array<{ geometry: { type: string } }>;
    };
    expect(geo.features.map((f) => f.geometry.type)).toEqual(["Point"]);
  });

  it("counts containers emptied as the falls of their readings, from the hourly rollups", async () => {
    const EMPTIED = "dechets-conteneurs-vides";
    await approve(EMPTIED);
    await publish();
    const res = await get(
      `/opendata/datasets/${EMPTIED}/records?from=${new Date(day).toISOString()}&to=${new Date(day + DAY).toISOString()}`,
    );
    const byPlace = new Map(((await res.json()) as Records).records.map((r) => [r.place_code, r]));
    for (const commune of ["57038", "54580"]) {
      // Recomputed from the raw readings: per container, falls of 0.3 below the highest since the last.
      const perDevice = new Map<string, Array<{ time: number; value: number }>>();
      for (const r of sent.filter((x) => x.device.slice(4, 9) === commune)) {
        perDevice.set(r.device, [
          ...(perDevice.get(r.device) ?? []),
          { time: Date.parse(r.time), value: r.value },
        ]);
      }
      let falls = 0;
      for (const readings of perDevice.values()) {
        let high = Number.NEGATIVE_INFINITY;
        for (const { value } of readings.sort((a, b) => a.time - b.time)) {
          if (high - value >= 0.3) {
            falls++;
            high = value;
          } else high = Math.max(high, value);
        }
      }
      expect(byPlace.get(commune)).toMatchObject({
        status: "published",
        value: falls,
        devices: perDevice.size,
      });
    }
    expect([...byPlace.values()].some((r) => (r.value ?? 0) > 0)).toBe(true);
    // Its first release reads 24 hourly buckets a day per commune: room on a busy machine.
  }, 90_000);

  it("refuses bad input with coded 400s", async () => {
    const cases = [
      `/opendata/datasets/${DATASET}/records?from=yesterday`,
      `/opendata/datasets/${DATASET}/records?limit=100000`,
      `/opendata/datasets/${DATASET}/records?place=${encodeURIComponent("57038' OR 1=1 --")}`,
      `/opendata/datasets/${DATASET}/records?page=2`,
      `/opendata/datasets/${DATASET}/data.xlsx`,
    ];
    for (const path of cases) {
      const res = await get(path);
      expect([400, 404], path).toContain(res.status);
      const body = (await res.json()) as { code: string };
      expect(body.code, path).toMatch(/^ERR_/);
    }
    expect((await get("/opendata/datasets/Robert'); DROP TABLE--/records")).status).toBe(400);
  });
});
