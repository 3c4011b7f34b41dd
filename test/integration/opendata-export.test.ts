import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { check } from "@placemarkio/check-geojson";
import { parquetReadObjects } from "hyparquet";
import { Parser } from "n3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExportProgress, exportOpenData } from "../../cli/opendata-export.ts";
import { parseCsv, readWithSchema, tableschema } from "../helpers/open-formats.ts";
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";
import { freePort } from "../helpers/process.ts";

/**
 * `lanterne opendata export` against a real platform that has published one dataset: the folder
 * is read back with independent libraries (tableschema-js for the Data Package's CSV files and
 * schemas, check-geojson, hyparquet, n3) and compared cell by cell with what the API's records
 * say; once in-process, once as the real command line. A non-empty folder is refused (exit 2,
 * untouched), an unreachable platform fails (exit 1) with nothing created.
 */

const run = promisify(execFile);
let t: TestPlatform;
const tmp = mkdtempSync(join(tmpdir(), "lanterne-export-"));
const DATASET = "dechets-taux-de-remplissage";
const DAY = 86_400_000;
const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
/** Containers per commune fed that day (57603 under the contract's threshold: secrecy applies). */
const FED: Record<string, number> = { "57038": 12, "54580": 9, "57603": 3 };
const DATASET_FILES = [
  "changelog.json",
  "data.csv",
  "data.geojson",
  "data.json",
  "data.parquet",
  "metadata.json",
  "schema.json",
];

async function feed(commune: string, count: number) {
  const readings = [];
  for (let i = 1; i <= count; i++) {
    for (const h of [6, 12, 18]) {
      readings.push({
        device: `pav-${commune}-${String(i).padStart(3, "0")}`,
        time: new Date(day + h * 3_600_000).toISOString(),
        data: { filling_level: ((i * 7 + h) % 100) / 100 },
      });
    }
  }
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    body: JSON.stringify({ readings }),
    headers: {
      "content-type": "application/json",
      authorization: basic("collecte-nord", DEMO_SECRETS["collecte-nord"]),
    },
  });
  expect(res.status).toBe(200);
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${t.apiUrl}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** The command line as a user runs it; resolves with the exit code and both outputs. */
async function lanterne(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "cli/lanterne.ts", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  t = await startTestPlatform();
  for (const [commune, count] of Object.entries(FED)) await feed(commune, count);
  await t.platform.rollups.pass();
  const res = await fetch(`${t.apiUrl}/api/v1/opendata/datasets/${DATASET}/approve`, {
    method: "POST",
    headers: { authorization: admin },
  });
  expect(res.status).toBe(200);
  await t.platform.publisher.run();
}, 60_000);
afterAll(async () => {
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Field = { name: string; type: string };
type Resource = { name: string; path: string; schema: { fields: Field[] }; licenses?: unknown[] };
type DataPackage = {
  profile: string;
  licenses: Array<{ name: string; path: string }>;
  resources: Resource[];
};
type Records = { total: number; records: Array<Record<string, unknown>> };

/** A cell as a comparable value: tableschema casts datetimes to Date, numbers to Number-likes. */
function comparable(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === "datetime") return Math.floor(new Date(value as string | Date).getTime() / 1000);
  if (type === "number" || type === "integer") return Number(value);
  if (type === "date") return value instanceof Date ? value.toISOString().slice(0, 10) : value;
  return value;
}

async function expectCsvEqualsRecords(dir: string, resource: Resource) {
  const csv = readFileSync(join(dir, resource.path), "utf8");
  expect((await tableschema.Schema.load(resource.schema, { strict: true })).valid).toBe(true);
  const rows = await readWithSchema(csv, resource.schema);
  const { total, records } = await api<Records>(`/opendata/datasets/${resource.name}/records?limit=1000`);
  expect(total).toBeGreaterThan(0);
  expect(rows).toHaveLength(total);
  expect(parseCsv(csv)).toHaveLength(total + 1);
  rows.forEach((row, i) => {
    for (const field of resource.schema.fields) {
      expect(comparable(field.type, row[field.name]), `${resource.name} row ${i} ${field.name}`).toEqual(
        comparable(field.type, records[i]?.[field.name]),
      );
    }
  });
  return records;
}

/** The folder read back with independent libraries; answers its file count and bytes. */
async function expectPortalFolder(dir: string): Promise<{ files: number; bytes: number }> {
  expect(readdirSync(dir).sort()).toEqual([
    "README.md",
    "catalog.jsonld",
    "catalog.ttl",
    "datapackage.json",
    DATASET,
  ]);
  expect(readdirSync(join(dir, DATASET)).sort()).toEqual(DATASET_FILES);
  const pkg = JSON.parse(readFileSync(join(dir, "datapackage.json"), "utf8")) as DataPackage;
  expect(pkg.profile).toBe("tabular-data-package");
  const { datasets } = await api<{ datasets: Array<{ id: string; licence: string; licence_url: string }> }>(
    "/opendata/catalog",
  );
  expect(pkg.resources.map((r) => r.name)).toEqual(datasets.map((d) => d.id));
  expect(pkg.licenses).toEqual([{ name: datasets[0]?.licence, path: datasets[0]?.licence_url }]);
  for (const resource of pkg.resources) {
    expect(resource.path).toBe(`${resource.name}/data.csv`);
    const served = await api<object>(`/opendata/datasets/${resource.name}/schema.json`);
    expect(resource.schema).toEqual(served);
    expect(JSON.parse(readFileSync(join(dir, resource.name, "schema.json"), "utf8"))).toEqual(served);
    await expectOtherFormats(dir, resource.name, await expectCsvEqualsRecords(dir, resource));
  }
  const jsonld = readFileSync(join(dir, "catalog.jsonld"), "utf8");
  expect(JSON.parse(jsonld)).toEqual(await api<object>("/opendata/catalog.jsonld"));
  expect(jsonld).toContain(`/opendata/datasets/${DATASET}`);
  expect(
    new Parser({ format: "text/turtle" }).parse(readFileSync(join(dir, "catalog.ttl"), "utf8")).length,
  ).toBeGreaterThan(0);
  expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(DATASET);
  return folderSize(dir);
}

async function expectOtherFormats(dir: string, id: string, records: Records["records"]) {
  const places = records.map((r) => r.place_code).sort();
  const collection = check(readFileSync(join(dir, id, "data.geojson"), "utf8")) as unknown as {
    features: Array<{ properties: { place_code: string } }>;
  };
  expect(collection.features.map((f) => f.properties.place_code).sort()).toEqual(places);
  const parquet = readFileSync(join(dir, id, "data.parquet"));
  const file = parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.byteLength);
  const objects = (await parquetReadObjects({ file })) as Array<{ place_code: string; value: number | null }>;
  expect(objects.map((o) => [o.place_code, o.value])).toEqual(records.map((r) => [r.place_code, r.value]));
  const json = JSON.parse(readFileSync(join(dir, id, "data.json"), "utf8")) as { records: unknown[] };
  expect(json.records).toHaveLength(records.length);
  const log = await api<{ versions: unknown[] }>(`/opendata/datasets/${id}/changelog?limit=1000`);
  const saved = JSON.parse(readFileSync(join(dir, id, "changelog.json"), "utf8")) as { versions: unknown[] };
  expect(saved.versions).toEqual(log.versions);
}

function folderSize(dir: string): { files: number; bytes: number } {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const bytes = files.reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
  return { files: files.length, bytes };
}

function recording(): ExportProgress & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    start: (n) => seen.push(`start ${n}`),
    advance: (d, id) => seen.push(`${d} ${id}`),
    stop() {},
  };
}

describe("lanterne opendata export", () => {
  it("writes a folder any portal can take, equal to what the open channel serves", async () => {
    const dir = join(tmp, "in-process", "export");
    const progress = recording();
    const summary = await exportOpenData({ dir, url: t.apiUrl, progress });
    expect(progress.seen).toEqual(["start 1", `1 ${DATASET}`]);
    const size = await expectPortalFolder(dir);
    expect(summary).toEqual({ dir, datasets: 1, ...size });
    expect(size.files).toBe(4 + DATASET_FILES.length);
    expect(readdirSync(join(tmp, "in-process"))).toEqual(["export"]);
  });

  it("does the same from the command line, with plain progress lines off a terminal", async () => {
    const dir = join(tmp, "cli", "export");
    const { code, stdout, stderr } = await lanterne("opendata", "export", dir, "--url", t.apiUrl);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`export: 1/1 ${DATASET}`);
    const size = await expectPortalFolder(dir);
    expect(stdout).toContain(`exported 1 dataset, ${size.files} files, ${size.bytes} bytes to ${dir}`);
  });

  it("refuses a folder that is not empty (exit 2, untouched) unless --force", async () => {
    const parent = join(tmp, "refused");
    const dir = join(parent, "export");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "keep.txt"), "mine");
    const { code, stderr } = await lanterne("opendata", "export", dir, "--url", t.apiUrl);
    expect(code).toBe(2);
    expect(stderr).toContain("ERR_EXPORT_DIR_NOT_EMPTY");
    expect(readdirSync(parent)).toEqual(["export"]);
    expect(readdirSync(dir)).toEqual(["keep.txt"]);
    expect(readFileSync(join(dir, "keep.txt"), "utf8")).toBe("mine");
    await expect(exportOpenData({ dir, url: t.apiUrl })).rejects.toMatchObject({
      code: "ERR_EXPORT_DIR_NOT_EMPTY",
    });
    await exportOpenData({ dir, url: t.apiUrl, force: true });
    expect(existsSync(join(dir, "keep.txt"))).toBe(false);
    await expectPortalFolder(dir);
    expect(readdirSync(parent)).toEqual(["export"]);
  });

  it("fails on an unreachable platform, naming its URL, with no folder created (exit 1)", async () => {
    const parent = join(tmp, "unreachable");
    mkdirSync(parent);
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await lanterne("opendata", "export", join(parent, "export"), "--url", url);
    expect(code).toBe(1);
    expect(stderr).toContain("ERR_PLATFORM_UNREACHABLE");
    expect(stderr).toContain(url);
    expect(readdirSync(parent)).toEqual([]);
  });
});
