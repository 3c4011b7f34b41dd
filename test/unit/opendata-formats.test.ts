import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check } from "@placemarkio/check-geojson";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { afterAll, describe, expect, it } from "vitest";
import { toCsv } from "../../services/opendata/formats/csv.ts";
import { toGeoJson } from "../../services/opendata/formats/geojson.ts";
import { FORMAT_IDS, FORMATS, isFormatId } from "../../services/opendata/formats/index.ts";
import { toJson } from "../../services/opendata/formats/json.ts";
import { toParquet } from "../../services/opendata/formats/parquet.ts";
import { dataPackage, tableSchema } from "../../services/opendata/formats/table-schema.ts";
import type { Cell, Geometry, PublishedTable, TableField } from "../../services/opendata/table.ts";

/**
 * The open formats of a published table, each read back by an independent library (csv-parse,
 * tableschema, check-geojson, hyparquet, JSON.parse) and compared value by value with the table,
 * never with a golden string. Each checker is also shown to fail on a broken input.
 */

/** The few parts of tableschema-js (CommonJS, untyped) these tests use. */
type TsSchema = { valid: boolean; errors: Error[] };
type TsTable = { read(options: { cast?: boolean; keyed?: boolean }): Promise<Record<string, unknown>[]> };
type TableSchemaLib = {
  Schema: { load(descriptor: object, options?: { strict?: boolean }): Promise<TsSchema> };
  Table: {
    load(
      source: string,
      options: { schema: object; delimiter?: string; ltrim?: boolean; strict?: boolean },
    ): Promise<TsTable>;
  };
};
const tableschema = createRequire(import.meta.url)("tableschema") as TableSchemaLib;

const text = (name: string, extra: Partial<TableField> = {}): TableField => ({
  name,
  type: "string",
  title: name,
  description: `Colonne ${name}`,
  ...extra,
});

const FIELDS: TableField[] = [
  text("device_id", { title: "Équipement", constraints: { required: true } }),
  text("period_start", { type: "datetime", title: "Début de période", constraints: { required: true } }),
  text("day", { type: "date", title: "Jour" }),
  text("energy_kwh", { type: "number", title: "Énergie", unit: "kWh", constraints: { minimum: 0 } }),
  text("delta", { type: "number", title: "Écart", unit: "1" }),
  text("burning_hours", { type: "integer", unit: "h", constraints: { minimum: 0, maximum: 24 } }),
  text("lit", { type: "boolean", title: "Allumé" }),
  text("state", { constraints: { enum: ["ok", "panne", "maintenance"] } }),
  text("note", { title: "Remarque" }),
];

const CLOCKWISE_SQUARE: [number, number][] = [
  [5.9, 47.6],
  [6.0, 47.6],
  [6.0, 47.5],
  [5.9, 47.5],
  [5.9, 47.6],
];

const GEOMETRIES: (Geometry | null)[] = [
  { type: "Point", coordinates: [5.92, 47.55] },
  { type: "Polygon", coordinates: [CLOCKWISE_SQUARE] },
  null,
  { type: "MultiPolygon", coordinates: [[CLOCKWISE_SQUARE]] },
];

const ROWS: Record<string, Cell>[] = [
  {
    device_id: "lampadaire-001",
    period_start: "2024-03-01T00:00:00Z",
    day: "2024-03-01",
    energy_kwh: 12.5,
    delta: -3.25,
    burning_hours: 11,
    lit: true,
    state: "ok",
    note: 'Rue de l’Église, n°3 "Nord"',
  },
  {
    device_id: "lampadaire-002",
    period_start: "2024-03-01T01:00:00.000Z",
    day: null,
    energy_kwh: 0.1 + 0.2,
    delta: 1e-7,
    burning_hours: 0,
    lit: false,
    state: "panne",
    note: "ligne 1\nligne 2\r\nligne 3 😀, fin",
  },
  {
    device_id: "lampadaire-003",
    period_start: "2024-12-31T23:59:59Z",
    day: "2024-12-31",
    energy_kwh: 123456789012.345,
    delta: -1.7976931348623157e308,
    burning_hours: null,
    lit: null,
    state: null,
    note: "=SUM(A1:A2)",
  },
  {
    device_id: "lampadaire-004",
    period_start: "2025-01-01T00:00:00Z",
    day: "2025-01-01",
    energy_kwh: 5e-324,
    delta: 1e21,
    burning_hours: 24,
    lit: true,
    state: "maintenance",
    note: "",
  },
  // Missing cells are null; the geometry list is shorter than the rows.
  { device_id: "lampadaire-005", period_start: "2025-06-15T12:30:00Z", delta: -0.000123 },
];

const TABLE: PublishedTable = {
  name: "eclairage-consommation",
  title: "Consommation de l’éclairage public",
  description: "Énergie et heures d’allumage par point lumineux et par heure.",
  fields: FIELDS,
  primaryKey: ["device_id", "period_start"],
  rows: ROWS,
  geometries: GEOMETRIES,
  licence: "etalab-2.0",
};

const withRows = (rows: Record<string, Cell>[], fields: TableField[] = FIELDS): PublishedTable => ({
  ...TABLE,
  fields,
  rows,
  geometries: undefined,
});

const tempDir = mkdtempSync(join(tmpdir(), "lanterne-opendata-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

function writeTemp(name: string, content: string): string {
  const path = join(tempDir, name);
  writeFileSync(path, content, "utf8");
  return path;
}

/** Reads a CSV file with tableschema, casting every cell against the schema (throws on error). */
async function readWithSchema(csv: string, schema: object): Promise<Record<string, unknown>[]> {
  const path = writeTemp(`t-${Math.random().toString(36).slice(2)}.csv`, csv);
  // tableschema sniffs the delimiter and left-trims cells unless told otherwise.
  const table = await tableschema.Table.load(path, { schema, delimiter: ",", ltrim: false });
  return table.read({ cast: true, keyed: true });
}

const parseCsv = (csv: string): string[][] =>
  parse(Buffer.from(csv, "utf8"), { record_delimiter: ["\r\n"], relax_quotes: false }) as string[][];

/** tableschema's errors carry the list of what failed (matched by shape, not by message). */
const CAST_ERRORS = { errors: [expect.any(Error)] };

/** tableschema casts a date to local midnight (moment), so read it back in local time. */
const localDay = (date: Date): string =>
  [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((n) => String(n).padStart(2, "0")).join("-");

const cell = (row: Record<string, Cell>, name: string): Cell => row[name] ?? null;

describe("Table Schema", () => {
  it("is a valid descriptor in tableschema's strict mode", async () => {
    const schema = await tableschema.Schema.load(tableSchema(TABLE), { strict: true });
    expect(schema.valid).toBe(true);
  });

  it("describes each field with its type, constraints and unit", () => {
    const schema = tableSchema(TABLE);
    expect(schema.primaryKey).toEqual(["device_id", "period_start"]);
    expect(schema.missingValues).toEqual([""]);
    expect(schema.fields.map((f) => f.name)).toEqual(FIELDS.map((f) => f.name));
    expect(schema.fields[1]).toMatchObject({
      type: "datetime",
      format: "default",
      constraints: { required: true },
    });
    expect(schema.fields[3]).toMatchObject({ unit: "kWh", constraints: { minimum: 0 } });
    expect(schema.fields[7]?.constraints?.enum).toEqual(["ok", "panne", "maintenance"]);
  });

  it("leaves primaryKey out when the table has none", () => {
    expect(tableSchema({ ...TABLE, primaryKey: [] })).not.toHaveProperty("primaryKey");
  });

  it("strict mode rejects a broken descriptor (the checker can fail)", async () => {
    const broken = { fields: [{ name: "x", type: "instant" }] };
    await expect(tableschema.Schema.load(broken, { strict: true })).rejects.toMatchObject(CAST_ERRORS);
  });
});

describe("Data Package", () => {
  const input = {
    name: "lanterne-ccphva",
    title: "Données ouvertes de la CCPHVA",
    description: "Les jeux publiés.",
    licence: "etalab-2.0",
    homepage: "https://donnees.example.fr/",
    resources: [
      { table: TABLE, path: "eclairage-consommation.csv", format: "csv" as const },
      {
        table: { ...TABLE, name: "eclairage-odbl", licence: "odbl-1.0" },
        path: "eclairage-odbl.csv",
        format: "csv" as const,
      },
    ],
    created: "2025-07-01T08:00:00Z",
  };

  it("has the tabular profile, the licence and one resource per table with its schema", async () => {
    const pkg = dataPackage(input);
    for (const key of ["profile", "name", "licenses", "resources", "created"])
      expect(pkg).toHaveProperty(key);
    expect(pkg.profile).toBe("tabular-data-package");
    expect(pkg.licenses).toEqual([
      {
        name: "etalab-2.0",
        path: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        title: "Licence Ouverte / Open Licence 2.0",
      },
    ]);
    for (const [i, resource] of pkg.resources.entries()) {
      const table = input.resources[i]?.table as PublishedTable;
      for (const key of ["name", "path", "profile", "format", "mediatype", "encoding", "schema"]) {
        expect(resource).toHaveProperty(key);
      }
      expect(resource).toMatchObject({
        name: table.name,
        profile: "tabular-data-resource",
        mediatype: "text/csv",
        encoding: "utf-8",
      });
      expect(resource.schema).toEqual(tableSchema(table));
      expect((await tableschema.Schema.load(resource.schema, { strict: true })).valid).toBe(true);
    }
  });

  it("names a resource's own licence when it differs from the package's", () => {
    const [first, second] = dataPackage(input).resources;
    expect(first?.licenses).toBeUndefined();
    expect(second?.licenses?.[0]).toMatchObject({
      name: "odbl-1.0",
      path: "https://opendatacommons.org/licenses/odbl/1-0/",
    });
  });

  it("refuses a licence it cannot name", () => {
    expect(() => dataPackage({ ...input, licence: "cc-by-4.0" })).toThrow(RangeError);
    expect(() => dataPackage({ ...input, licence: "toString" })).toThrow(RangeError);
  });
});

describe("CSV", () => {
  const csv = toCsv(TABLE);

  it("parses back with csv-parse: CRLF records, header of field names, no BOM", () => {
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    const [header, ...records] = parseCsv(csv);
    expect(header).toEqual(FIELDS.map((f) => f.name));
    expect(records).toHaveLength(ROWS.length);
    for (const record of records) expect(record).toHaveLength(FIELDS.length);
  });

  it("keeps every cell: text exactly, numbers exactly, nulls empty, datetimes as instants", () => {
    const records = parseCsv(csv).slice(1);
    for (const [r, row] of ROWS.entries()) {
      for (const [f, field] of FIELDS.entries()) {
        const value = cell(row, field.name);
        const parsed = records[r]?.[f];
        if (value === null) expect(parsed).toBe("");
        else if (typeof value === "number") expect(Object.is(Number(parsed), value)).toBe(true);
        else if (typeof value === "boolean") expect(parsed).toBe(String(value));
        else if (field.type === "datetime") expect(Date.parse(parsed ?? "")).toBe(Date.parse(value));
        else if (field.name === "note" && value.startsWith("=")) expect(parsed).toBe(`'${value}`);
        else expect(parsed).toBe(value);
      }
    }
  });

  it("passes tableschema's cast of every cell, constraints and primary key included", async () => {
    const rows = await readWithSchema(csv, tableSchema(TABLE));
    expect(rows).toHaveLength(ROWS.length);
    for (const [r, row] of ROWS.entries()) {
      const read = rows[r] ?? {};
      for (const field of FIELDS) {
        const value = cell(row, field.name);
        const got = read[field.name];
        // The empty string is the schema's missing value, so an empty text reads back as null.
        if (value === null || value === "") expect(got).toBeNull();
        else if (field.type === "datetime" && got instanceof Date)
          expect(got.getTime()).toBe(Date.parse(String(value)));
        else if (field.type === "date" && got instanceof Date) expect(localDay(got)).toBe(value);
        else if (field.name === "note" && value === "=SUM(A1:A2)") expect(got).toBe(`'${value}`);
        else expect(got).toEqual(value);
      }
    }
  });

  it("writes non-finite numbers as the Table Schema's NaN, INF and -INF", async () => {
    const rows = [
      { device_id: "a", period_start: "2024-01-01T00:00:00Z", delta: Number.NaN },
      { device_id: "b", period_start: "2024-01-01T00:00:00Z", delta: Number.POSITIVE_INFINITY },
      { device_id: "c", period_start: "2024-01-01T00:00:00Z", delta: Number.NEGATIVE_INFINITY },
    ];
    const read = await readWithSchema(toCsv(withRows(rows)), tableSchema(TABLE));
    expect(read.map((row) => row.delta)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });

  it("prefixes text that a spreadsheet would run as a formula, never a number", () => {
    const starts = ["=1+1", "+33 6 00", "-moins", "@SUM(A1)", "\tindent", "\rretour"];
    const rows = starts.map((note, i) => ({
      device_id: `d${i}`,
      period_start: "2024-01-01T00:00:00Z",
      delta: -i - 0.5,
      note,
    }));
    const records = parseCsv(toCsv(withRows(rows))).slice(1);
    const note = FIELDS.findIndex((f) => f.name === "note");
    const delta = FIELDS.findIndex((f) => f.name === "delta");
    for (const [i, record] of records.entries()) {
      expect(record[note]).toBe(`'${starts[i]}`);
      expect(Number(record[delta])).toBe(-i - 0.5);
    }
  });

  it("floors a sub-second datetime to the whole second, the Table Schema default format", async () => {
    const rows = [{ device_id: "a", period_start: "2024-01-01T10:00:00.999Z" }];
    const [read] = await readWithSchema(toCsv(withRows(rows)), tableSchema(TABLE));
    expect(read?.period_start).toEqual(new Date("2024-01-01T10:00:00Z"));
  });

  it("tableschema fails on a text in an integer column (the checker can fail)", async () => {
    const rows = [{ device_id: "a", period_start: "2024-01-01T00:00:00Z", burning_hours: "onze" }];
    await expect(readWithSchema(toCsv(withRows(rows)), tableSchema(TABLE))).rejects.toMatchObject(
      CAST_ERRORS,
    );
  });

  it("tableschema fails on a value out of its constraints (the checker can fail)", async () => {
    const rows = [{ device_id: "a", period_start: "2024-01-01T00:00:00Z", burning_hours: 25 }];
    await expect(readWithSchema(toCsv(withRows(rows)), tableSchema(TABLE))).rejects.toMatchObject(
      CAST_ERRORS,
    );
  });

  it("csv-parse fails on an unclosed quote (the checker can fail)", () => {
    expect(() => parseCsv('a,b\r\n"open,1\r\n')).toThrow();
  });

  describe("property: text and numbers round-trip through toCsv and csv-parse", () => {
    const fields: TableField[] = [
      text("s"),
      text("x", { type: "number" }),
      text("i", { type: "integer" }),
      text("b", { type: "boolean" }),
    ];
    const tricky = fc.constantFrom(",", '"', "\r", "\n", "\r\n", " ", "é", "’", "😀", "\uFEFF", "'", "=");
    const unit = fc.oneof(tricky, fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
    const anyText = fc.string({ unit, maxLength: 30 });
    const FORMULA = /^[=+\-@\t\r]/;
    const row = (s: fc.Arbitrary<string | null>) =>
      fc.record({
        s,
        x: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
        i: fc.option(fc.maxSafeInteger()),
        b: fc.option(fc.boolean()),
      });

    it("keeps every value exactly (null reads back as the empty field)", () => {
      const safeText = fc.option(anyText.filter((s) => !FORMULA.test(s)));
      fc.assert(
        fc.property(fc.array(row(safeText), { maxLength: 8 }), (rows) => {
          const records = parseCsv(toCsv(withRows(rows, fields))).slice(1);
          expect(records).toHaveLength(rows.length);
          for (const [r, source] of rows.entries()) {
            const [s, x, i, b] = records[r] ?? [];
            expect(s).toBe(source.s ?? "");
            expect(x === "" ? null : Number(x)).toStrictEqual(source.x);
            expect(i === "" ? null : Number(i)).toStrictEqual(source.i);
            expect(b === "" ? null : b === "true").toBe(source.b);
          }
        }),
      );
    });

    it("prefixes, and only prefixes, text starting like a formula", () => {
      const formula = fc
        .tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r"), anyText)
        .map(([a, b]) => a + b);
      fc.assert(
        fc.property(formula, (s) => {
          const [, record] = parseCsv(toCsv(withRows([{ s, x: null, i: null, b: null }], fields)));
          expect(record?.[0]).toBe(`'${s}`);
        }),
      );
    });
  });
});

describe("JSON", () => {
  const doc = JSON.parse(FORMATS.json.render(TABLE) as string) as ReturnType<typeof toJson>;

  it("describes the dataset, its licence and fields, and holds one record per row", () => {
    expect(doc.dataset).toMatchObject({ name: TABLE.name, title: TABLE.title });
    expect(doc.licence.name).toBe("etalab-2.0");
    expect(doc.fields).toEqual(tableSchema(TABLE).fields);
    expect(doc.primary_key).toEqual(["device_id", "period_start"]);
    expect(doc.records).toHaveLength(ROWS.length);
  });

  it("keeps every value, with every field present and datetimes as instants", () => {
    for (const [r, row] of ROWS.entries()) {
      const record = doc.records[r] ?? {};
      expect(Object.keys(record)).toEqual(FIELDS.map((f) => f.name));
      for (const field of FIELDS) {
        const value = cell(row, field.name);
        const got = record[field.name];
        if (field.type === "datetime" && typeof value === "string") {
          expect(Date.parse(String(got))).toBe(Date.parse(value));
        } else expect(got).toStrictEqual(value);
      }
    }
  });

  it("writes non-finite numbers as null and carries the meta it is given", () => {
    const rows = [{ device_id: "a", period_start: "2024-01-01T00:00:00Z", delta: Number.POSITIVE_INFINITY }];
    const json = toJson(withRows(rows), {
      homepage: "https://donnees.example.fr/",
      created: "2025-01-01T00:00:00Z",
    });
    const back = JSON.parse(JSON.stringify(json)) as typeof json;
    expect(back.records[0]?.delta).toBeNull();
    expect(back.dataset.homepage).toBe("https://donnees.example.fr/");
  });
});

describe("GeoJSON", () => {
  const text = FORMATS.geojson.render(TABLE) as string;

  it("is valid RFC 7946 for check-geojson, null geometries and polygons included", () => {
    const parsed = check(text);
    expect(parsed.type).toBe("FeatureCollection");
    expect(JSON.parse(text)).not.toHaveProperty("crs");
  });

  it("has one feature per row, its properties the row and its id the primary key", () => {
    const { features } = toGeoJson(TABLE);
    expect(features).toHaveLength(ROWS.length);
    expect(features.map((f) => f.geometry?.type ?? null)).toEqual([
      "Point",
      "Polygon",
      null,
      "MultiPolygon",
      null,
    ]);
    expect(features[0]?.id).toBe("lampadaire-001/2024-03-01T00:00:00Z");
    expect(features[2]?.properties.note).toBe("=SUM(A1:A2)");
    expect(features[4]?.properties.delta).toBe(-0.000123);
  });

  it("winds polygons by the right-hand rule and leaves the table unchanged", () => {
    const twiceArea = (ring: [number, number][]) =>
      ring.slice(1).reduce((sum, [x2, y2], k) => {
        const [x1, y1] = ring[k] ?? [0, 0];
        return sum + x1 * y2 - x2 * y1;
      }, 0);
    const polygon = toGeoJson(TABLE).features[1]?.geometry;
    if (polygon?.type !== "Polygon") throw new Error("expected a polygon");
    expect(twiceArea(polygon.coordinates[0] ?? [])).toBeGreaterThan(0);
    expect(twiceArea(CLOCKWISE_SQUARE)).toBeLessThan(0);
  });

  it("check-geojson fails on an unclosed ring (the checker can fail)", () => {
    const broken = {
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          properties: {},
          geometry: {
            type: "Polygon",
            coordinates: [
              [
                [0, 0],
                [1, 0],
                [1, 1],
                [0, 1],
              ],
            ],
          },
        },
      ],
    };
    expect(() => check(JSON.stringify(broken))).toThrow();
  });
});

describe("Parquet", () => {
  const bytes = toParquet(TABLE);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

  it("reads back with hyparquet, cell by cell", async () => {
    const rows = await parquetReadObjects({ file });
    expect(rows).toHaveLength(ROWS.length);
    for (const [r, row] of ROWS.entries()) {
      const read = rows[r] ?? {};
      expect(Object.keys(read)).toEqual(FIELDS.map((f) => f.name));
      for (const field of FIELDS) {
        const value = cell(row, field.name);
        const got = read[field.name];
        if (value === null) expect(got).toBeNull();
        else if (field.type === "integer") expect(got).toBe(BigInt(value));
        else if (field.type === "datetime" && got instanceof Date)
          expect(got.getTime()).toBe(Date.parse(String(value)));
        else if (field.type === "date" && got instanceof Date)
          expect(got.toISOString()).toBe(`${value}T00:00:00.000Z`);
        else if (field.type === "datetime" || field.type === "date")
          throw new Error(`${field.name}: not a Date`);
        else expect(Object.is(got, value)).toBe(true);
      }
    }
  });

  it("declares the logical types, UTC instants and required columns", () => {
    const { schema } = parquetMetadata(file);
    const byName = new Map(schema.map((element) => [element.name, element]));
    expect(byName.get("period_start")).toMatchObject({
      type: "INT64",
      repetition_type: "REQUIRED",
      logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
    });
    expect(byName.get("note")).toMatchObject({ type: "BYTE_ARRAY", repetition_type: "OPTIONAL" });
    expect(byName.get("energy_kwh")?.type).toBe("DOUBLE");
    expect(byName.get("day")?.logical_type).toEqual({ type: "DATE" });
  });

  it("writes an empty table with its columns typed", async () => {
    const empty = toParquet(withRows([]));
    const metadata = parquetMetadata(empty.buffer as ArrayBuffer);
    expect(Number(metadata.num_rows)).toBe(0);
    expect(metadata.schema.slice(1).map((element) => element.name)).toEqual(FIELDS.map((f) => f.name));
  });

  it("refuses a cell of the wrong type, or a null in a required column, rather than writing it", () => {
    const rows = [{ device_id: "a", period_start: "2024-01-01T00:00:00Z", burning_hours: "onze" }];
    expect(() => toParquet(withRows(rows))).toThrow(TypeError);
    expect(() => toParquet(withRows([{ device_id: null, period_start: "2024-01-01T00:00:00Z" }]))).toThrow(
      TypeError,
    );
  });

  it("hyparquet fails on a truncated file (the checker can fail)", async () => {
    await expect(parquetReadObjects({ file: file.slice(0, file.byteLength - 12) })).rejects.toThrow();
  });
});

describe("download formats", () => {
  it("lists each format with its extension, media type and a renderer", () => {
    expect(FORMAT_IDS.map((id) => [FORMATS[id].id, FORMATS[id].extension, FORMATS[id].mediaType])).toEqual([
      ["csv", "csv", "text/csv; charset=utf-8"],
      ["json", "json", "application/json"],
      ["geojson", "geojson", "application/geo+json"],
      ["parquet", "parquet", "application/vnd.apache.parquet"],
    ]);
    expect(FORMATS.parquet.render(TABLE)).toBeInstanceOf(Uint8Array);
    expect(typeof FORMATS.csv.render(TABLE)).toBe("string");
    expect(isFormatId("xlsx")).toBe(false);
    expect(isFormatId("geojson")).toBe(true);
  });
});
