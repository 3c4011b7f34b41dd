import { readFileSync } from "node:fs";
import { join } from "node:path";
import rdf from "@zazuko/env-node";
import jsonld from "jsonld";
import { Parser, type Quad } from "n3";
import SHACLValidator from "rdf-validate-shacl";
import { beforeAll, describe, expect, it } from "vitest";
import type {
  CatalogDescription,
  DatasetDescription,
  DistributionDescription,
} from "../../services/opendata/catalog-model.ts";
import { dcatJsonLd, dcatQuads, dcatTurtle } from "../../services/opendata/dcat.ts";

/**
 * The catalogue is proved with libraries that did not write it: `jsonld` reads the JSON-LD, n3's
 * parser the Turtle, and `rdf-validate-shacl` checks the graph against the official DCAT-AP 3.0.0
 * shapes. No network: the JSON-LD context is inline and the document loader refuses every URL.
 */

const SHAPES_FILE = join(import.meta.dirname, "../../../shared/reference/dcat-ap-3.0.0-SHACL.ttl");
const BASE = "https://data.ccphva.example.fr";
const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

const SH = "http://www.w3.org/ns/shacl#";
const DCT = "http://purl.org/dc/terms/";
const DCAT = "http://www.w3.org/ns/dcat#";
const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

const FORMATS: ReadonlyArray<[DistributionDescription["format"], string, string]> = [
  ["CSV", "text/csv", "csv"],
  ["JSON", "application/json", "json"],
  ["GEOJSON", "application/geo+json", "geojson"],
  ["PARQUET", "application/vnd.apache.parquet", "parquet"],
];

function distributions(id: string, title: string): DistributionDescription[] {
  return FORMATS.map(([format, mediaType, ext]) => ({
    format,
    mediaType,
    downloadUrl: `${BASE}/opendata/datasets/${id}.${ext}`,
    title: `${title} (${format})`,
  }));
}

function dataset(id: string, overrides: Partial<DatasetDescription> = {}): DatasetDescription {
  const title = overrides.title ?? `Jeu ${id}`;
  return {
    id,
    title,
    description: `Description de ${id}.`,
    keywords: ["éclairage public", "énergie"],
    licence: "etalab-2.0",
    frequency: "DAILY",
    temporal: { start: T0, end: T0 + 30 * DAY },
    communes: ["57038", "54580", "57041", "57529"],
    temporalResolution: "P1D",
    issued: T0,
    modified: T0 + 31 * DAY,
    landingPage: `${BASE}/opendata/datasets/${id}.html`,
    schemaUrl: `${BASE}/opendata/datasets/${id}/schema.json`,
    contract: { id: "streetlight", version: "1.2.0" },
    distributions: distributions(id, title),
    ...overrides,
  };
}

function demoCatalog(datasets?: DatasetDescription[]): CatalogDescription {
  return {
    baseUrl: BASE,
    title: "Données ouvertes du Pays Haut Val d'Alzette",
    description: "Agrégats publiés par la communauté de communes à partir de ses équipements connectés.",
    languages: ["fr"],
    publisher: {
      id: "ccphva",
      name: "Communauté de communes du Pays Haut Val d'Alzette",
      siren: "245701404",
    },
    contact: { name: "Service données", email: "opendata@ccphva.example.fr" },
    homepage: `${BASE}/opendata`,
    modified: T0 + 31 * DAY,
    datasets: datasets ?? [
      dataset("streetlight-energy-daily", {
        title: "Énergie consommée par l'éclairage public, par commune et par jour",
      }),
      dataset("water-pressure-hourly", {
        title: "Pression du réseau d'eau, par commune et par heure",
        licence: "odbl-1.0",
        frequency: "HOURLY",
        temporalResolution: "PT1H",
        communes: ["57038", "57096", "57565", "57603", "54521"],
        contract: { id: "water-pressure", version: "2.0.1" },
      }),
    ],
  };
}

const refuseDocuments = (url: string): Promise<never> => Promise.reject(new Error(`no network: ${url}`));

/** The JSON-LD as a client receives it (a JSON string), read back by the `jsonld` library. */
async function jsonLdQuads(catalog: CatalogDescription): Promise<Quad[]> {
  const served = JSON.parse(JSON.stringify(dcatJsonLd(catalog)));
  const nquads = await jsonld.toRDF(served, {
    format: "application/n-quads",
    documentLoader: refuseDocuments,
  });
  expect(typeof nquads).toBe("string");
  return new Parser({ format: "N-Quads" }).parse(String(nquads));
}

async function turtleQuads(catalog: CatalogDescription): Promise<Quad[]> {
  return new Parser({ format: "text/turtle" }).parse(await dcatTurtle(catalog));
}

/** A triple by its terms' values, so two serialisers' escaping choices cannot matter. */
function tripleKey(q: Quad): string {
  const o = q.object;
  const literal = o.termType === "Literal" ? [o.language, o.datatype.value] : [];
  return [q.subject.value, q.predicate.value, o.termType, o.value, ...literal].join("\u0000");
}

const tripleSet = (quads: readonly Quad[]): Set<string> => new Set(quads.map(tripleKey));

let shapes: ReturnType<typeof rdf.dataset>;

beforeAll(() => {
  shapes = rdf.dataset(new Parser({ format: "text/turtle" }).parse(readFileSync(SHAPES_FILE, "utf8")));
});

interface Finding {
  focus: string;
  path: string;
  severity: string;
  component: string;
  message: string;
}

async function validate(quads: readonly Quad[]): Promise<{ conforms: boolean; findings: Finding[] }> {
  const validator = new SHACLValidator(shapes, { factory: rdf });
  const report = await validator.validate(rdf.dataset([...quads]));
  const findings = report.results.map((r) => ({
    focus: r.focusNode?.value ?? "",
    path: r.path?.value ?? "",
    severity: r.severity?.value.replace(SH, "sh:") ?? "",
    component: r.sourceConstraintComponent?.value.replace(SH, "sh:") ?? "",
    message: r.message.map((m) => m.value).join("; "),
  }));
  return { conforms: report.conforms, findings };
}

const datasetIri = (id: string): string => `${BASE}/opendata/datasets/${id}`;

describe("DCAT-AP catalogue: one graph in two syntaxes", () => {
  it("JSON-LD (through jsonld.toRDF) and Turtle (through n3's parser) are the same set of triples", async () => {
    const catalog = demoCatalog();
    const fromJsonLd = await jsonLdQuads(catalog);
    const fromTurtle = await turtleQuads(catalog);
    expect(fromJsonLd.length).toBeGreaterThan(100);
    expect(fromTurtle).toHaveLength(fromJsonLd.length);
    expect([...tripleSet(fromTurtle)].sort()).toEqual([...tripleSet(fromJsonLd)].sort());
    expect(tripleSet(fromTurtle)).toEqual(tripleSet(dcatQuads(catalog)));
  });

  it("names every node with an IRI (no blank nodes) and uses the agreed node IRIs", async () => {
    const quads = await turtleQuads(demoCatalog());
    const terms = quads.flatMap((q) => [q.subject, q.object]);
    expect(terms.filter((t) => t.termType === "BlankNode")).toEqual([]);
    const typed = (cls: string) =>
      quads
        .filter((q) => q.predicate.value === RDF_TYPE && q.object.value === cls)
        .map((q) => q.subject.value);
    expect(typed(`${DCAT}Catalog`)).toEqual([`${BASE}/opendata/catalog`]);
    expect(typed(`${DCAT}Dataset`)).toEqual([
      datasetIri("streetlight-energy-daily"),
      datasetIri("water-pressure-hourly"),
    ]);
    expect(typed(`${DCAT}Distribution`)).toHaveLength(8);
    expect(typed(`${DCAT}Distribution`)).toContain(
      `${datasetIri("water-pressure-hourly")}/distributions/geojson`,
    );
    expect(typed("http://xmlns.com/foaf/0.1/Agent")).toEqual([`${BASE}/opendata/publisher`]);
  });

  it("writes an inline context and fetches nothing", () => {
    const doc = dcatJsonLd(demoCatalog());
    expect(typeof doc["@context"]).toBe("object");
    expect(JSON.stringify(doc)).not.toMatch(/"@context"\s*:\s*"/);
  });

  it("uses the controlled vocabularies DCAT-AP and data.gouv.fr expect", async () => {
    const quads = await turtleQuads(demoCatalog());
    const objectsOf = (subject: string, predicate: string) =>
      quads
        .filter((q) => q.subject.value === subject && q.predicate.value === predicate)
        .map((q) => q.object.value);
    const water = datasetIri("water-pressure-hourly");
    const csv = `${datasetIri("streetlight-energy-daily")}/distributions/csv`;
    expect(objectsOf(water, `${DCT}license`)).toEqual(["http://spdx.org/licenses/ODbL-1.0"]);
    expect(objectsOf(`${water}/distributions/csv`, `${DCT}license`)).toEqual([
      "http://spdx.org/licenses/ODbL-1.0",
    ]);
    expect(objectsOf(csv, `${DCT}license`)).toEqual(["http://spdx.org/licenses/etalab-2.0"]);
    expect(objectsOf(water, `${DCT}accrualPeriodicity`)).toEqual([
      "http://publications.europa.eu/resource/authority/frequency/HOURLY",
    ]);
    expect(objectsOf(water, `${DCT}spatial`)).toContain("http://id.insee.fr/geo/commune/57038");
    expect(objectsOf(csv, `${DCAT}mediaType`)).toEqual([
      "https://www.iana.org/assignments/media-types/text/csv",
    ]);
    expect(objectsOf(csv, `${DCT}format`)).toEqual([
      "http://publications.europa.eu/resource/authority/file-type/CSV",
    ]);
    expect(objectsOf(`${BASE}/opendata/catalog`, `${DCT}language`)).toEqual([
      "http://publications.europa.eu/resource/authority/language/FRA",
    ]);
    expect(objectsOf(`${BASE}/opendata/publisher`, `${DCT}identifier`)).toEqual(["245701404"]);
  });
});

describe("DCAT-AP catalogue against the official DCAT-AP 3.0.0 SHACL shapes", () => {
  it("conforms, from the Turtle and from the JSON-LD alike", async () => {
    for (const quads of [await turtleQuads(demoCatalog()), await jsonLdQuads(demoCatalog())]) {
      const { conforms, findings } = await validate(quads);
      expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
      expect(conforms).toBe(true);
    }
  });

  it("conforms without the optional period, dates and SIREN", async () => {
    const bare = dataset("waste-fill-weekly", {
      temporal: undefined,
      issued: undefined,
      modified: undefined,
    });
    const catalog = demoCatalog([bare]);
    catalog.publisher = { id: "ccphva", name: "CCPHVA" };
    const { findings } = await validate(await turtleQuads(catalog));
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
  });

  const streetlight = datasetIri("streetlight-energy-daily");
  const broken: ReadonlyArray<[string, string, string, string]> = [
    ["a dataset without a description", streetlight, `${DCT}description`, "sh:MinCountConstraintComponent"],
    ["a dataset without a title", streetlight, `${DCT}title`, "sh:MinCountConstraintComponent"],
    [
      "a distribution without an access URL",
      `${streetlight}/distributions/parquet`,
      `${DCAT}accessURL`,
      "sh:MinCountConstraintComponent",
    ],
    [
      "the catalogue without a publisher",
      `${BASE}/opendata/catalog`,
      `${DCT}publisher`,
      "sh:MinCountConstraintComponent",
    ],
    [
      "the publisher without a name",
      `${BASE}/opendata/publisher`,
      "http://xmlns.com/foaf/0.1/name",
      "sh:MinCountConstraintComponent",
    ],
  ];

  it.each(broken)("reports a Violation for %s", async (_, focus, path, component) => {
    const quads = dcatQuads(demoCatalog()).filter(
      (q) => !(q.subject.value === focus && q.predicate.value === path),
    );
    const { conforms, findings } = await validate(quads);
    expect(conforms).toBe(false);
    expect(findings).toContainEqual(
      expect.objectContaining({ focus, path, component, severity: "sh:Violation" }),
    );
  });

  it("reports a Violation when a licence is not typed dct:LicenseDocument (no inference in the shapes)", async () => {
    const licence = "http://spdx.org/licenses/ODbL-1.0";
    const quads = dcatQuads(demoCatalog()).filter(
      (q) => !(q.subject.value === licence && q.predicate.value === RDF_TYPE),
    );
    const { findings } = await validate(quads);
    expect(findings).toContainEqual(
      expect.objectContaining({
        path: `${DCT}license`,
        component: "sh:ClassConstraintComponent",
        severity: "sh:Violation",
      }),
    );
  });
});

describe("DCAT-AP catalogue: values from data", () => {
  const nasty = 'Pression "amont" <b>réseau</b>\nligne 2 """ fin \\ tab\t\'apostrophe\' ""';

  it("keeps a title with quotes, <, newlines and triple quotes exactly, in both syntaxes", async () => {
    const keywords = [nasty, "@id", "@type", "dct:title", "http://example.org/x"];
    const catalog = demoCatalog([dataset("water-pressure-hourly", { title: nasty, keywords })]);
    const iri = datasetIri("water-pressure-hourly");
    for (const quads of [await turtleQuads(catalog), await jsonLdQuads(catalog)]) {
      const title = quads.find((q) => q.subject.value === iri && q.predicate.value === `${DCT}title`);
      const keywordTerms = quads.filter(
        (q) => q.subject.value === iri && q.predicate.value === `${DCAT}keyword`,
      );
      expect(title?.object.value).toBe(nasty);
      expect(title?.object.termType === "Literal" && title.object.language).toBe("fr");
      // Keyword-like and IRI-like strings stay plain literals in JSON-LD.
      const keywordValues = keywordTerms.map((q) => `${q.object.termType}:${q.object.value}`);
      expect(keywordValues.sort()).toEqual(keywords.map((k) => `Literal:${k}`).sort());
      const distribution = quads.find(
        (q) => q.subject.value === `${iri}/distributions/csv` && q.predicate.value === `${DCT}title`,
      );
      expect(distribution?.object.value).toBe(`${nasty} (CSV)`);
    }
  });

  it.each([
    ["an unknown licence", { licence: "cc-by-nc" }],
    ["a relative landing page", { landingPage: "/opendata/x.html" }],
    ["an IRI with a space", { schemaUrl: `${BASE}/a b.json` }],
    ["an IRI with a >", { landingPage: `${BASE}/x>y` }],
    ["a resolution that is not an xsd:duration", { temporalResolution: "1 day" }],
    ["a dataset id that breaks its IRI", { id: "bad id" }],
  ])("refuses %s as a configuration error", (_, overrides: Partial<DatasetDescription>) => {
    const catalog = demoCatalog([dataset("water-pressure-hourly", overrides)]);
    expect(() => dcatQuads(catalog)).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
  });
});
