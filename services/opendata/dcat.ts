/**
 * The open-data catalogue as DCAT-AP 3.0.0 (https://semiceu.github.io/DCAT-AP/releases/3.0.0/),
 * the profile data.gouv.fr and the European data portal harvest.
 *
 * One graph, two syntaxes: `dcatQuads` builds the RDF triples once; `dcatJsonLd` and `dcatTurtle`
 * only serialise them, so the two documents cannot disagree. Every node has an IRI (no blank
 * nodes): harvesters can then follow and de-duplicate nodes, and two serialisations of the graph
 * compare as plain sets of triples.
 *
 * The official SHACL shapes check `sh:class` without RDFS inference, so every object node that a
 * shape constrains by class (licence, location, media type, landing page, access URL...) carries
 * its own `rdf:type` triple, even for IRIs that belong to external vocabularies.
 */
import { DataFactory, type Literal, type NamedNode, type Quad, Writer } from "n3";
import { ConfigInvalidError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type {
  CatalogDescription,
  DatasetDescription,
  DistributionDescription,
  Frequency,
  Publisher,
} from "./catalog-model.ts";

const { namedNode, literal, quad } = DataFactory;

/** Vocabulary namespaces: Turtle prefixes and JSON-LD context terms alike. */
export const DCAT_PREFIXES = {
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
  dcat: "http://www.w3.org/ns/dcat#",
  dct: "http://purl.org/dc/terms/",
  foaf: "http://xmlns.com/foaf/0.1/",
  vcard: "http://www.w3.org/2006/vcard/ns#",
} as const;

type Prefix = keyof typeof DCAT_PREFIXES;

/** EU Publications Office authority tables, which DCAT-AP names as controlled vocabularies. */
const EU_AUTHORITY = "http://publications.europa.eu/resource/authority";
const IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/";
const INSEE_COMMUNE = "http://id.insee.fr/geo/commune/";

/** Licences by Lanterne's id, as SPDX IRIs (SPDX lists both, data.gouv.fr recognises them). */
const LICENCES: Readonly<Record<string, { iri: string; title: string }>> = {
  "etalab-2.0": {
    iri: "http://spdx.org/licenses/etalab-2.0",
    title: "Licence Ouverte / Open Licence version 2.0",
  },
  "odbl-1.0": {
    iri: "http://spdx.org/licenses/ODbL-1.0",
    title: "Open Data Commons Open Database License v1.0",
  },
};

/** ISO 639-1 to the EU language table's codes (ISO 639-3 based), for the languages likely here. */
const EU_LANGUAGES: Readonly<Record<string, string>> = {
  fr: "FRA",
  en: "ENG",
  de: "DEU",
  lb: "LTZ",
  it: "ITA",
  es: "SPA",
  nl: "NLD",
  pt: "POR",
};

/** The one language of the texts Lanterne writes (titles, descriptions, keywords). */
const DEFAULT_LANGUAGE = "fr";

// xsd:duration lexical form (XML Schema 1.1 §3.3.6): at least one component, T only before time parts.
const DURATION = /^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;
// Characters Turtle's IRIREF and N-Quads forbid (besides controls and space); rejected rather
// than escaped, so that every syntax and every reader agrees on the IRI.
const IRI_FORBIDDEN = new Set('<>"{}|^`\\');
const isForbiddenInIri = (ch: string): boolean => ch <= " " || IRI_FORBIDDEN.has(ch);

const vocab = (prefix: Prefix, local: string): NamedNode => namedNode(`${DCAT_PREFIXES[prefix]}${local}`);

const RDF_TYPE = vocab("rdf", "type");
const XSD_STRING = `${DCAT_PREFIXES.xsd}string`;

/** The IRIs of the catalogue's own nodes, all below the public base URL. */
interface NodeIris {
  catalog: string;
  publisher: string;
  contact: string;
  dataset(id: string): string;
  distribution(datasetId: string, format: string): string;
}

function nodeIris(baseUrl: string): NodeIris {
  // The model says "without a trailing slash"; tolerate one rather than mint "//opendata" IRIs.
  const root = iri(baseUrl).value.replace(/\/+$/, "");
  const catalog = `${root}/opendata/catalog`;
  return {
    catalog,
    publisher: `${root}/opendata/publisher`,
    contact: `${catalog}#contact`,
    dataset: (id) => `${root}/opendata/datasets/${id}`,
    distribution: (id, format) => `${root}/opendata/datasets/${id}/distributions/${format.toLowerCase()}`,
  };
}

/** An absolute http(s) or mailto IRI, or a configuration error: nothing relative reaches the graph. */
function iri(value: string): NamedNode {
  const absolute = /^(https?:\/\/[^/]|mailto:)/i.test(value) && URL.canParse(value);
  if (!absolute || [...value].some(isForbiddenInIri)) {
    throw new ConfigInvalidError(`open-data catalogue: not an absolute IRI: ${JSON.stringify(value)}`);
  }
  return namedNode(value);
}

function dateTime(time: EpochMs): Literal {
  const iso = new Date(time).toISOString().replace(".000Z", "Z");
  return literal(iso, vocab("xsd", "dateTime"));
}

function duration(value: string): Literal {
  if (!DURATION.test(value)) {
    throw new ConfigInvalidError(`open-data catalogue: not an xsd:duration: ${JSON.stringify(value)}`);
  }
  return literal(value, vocab("xsd", "duration"));
}

function licence(id: string): { iri: string; title: string } {
  const known = LICENCES[id];
  if (!known) throw new ConfigInvalidError(`open-data catalogue: unknown licence "${id}"`);
  return known;
}

function languageIri(code: string): string {
  const eu = EU_LANGUAGES[code.toLowerCase()];
  if (!eu) throw new ConfigInvalidError(`open-data catalogue: unsupported language "${code}"`);
  return `${EU_AUTHORITY}/language/${eu}`;
}

function mediaTypeIri(mediaType: string): string {
  if (!MEDIA_TYPE.test(mediaType)) {
    throw new ConfigInvalidError(`open-data catalogue: not a media type: ${JSON.stringify(mediaType)}`);
  }
  return `${IANA_MEDIA_TYPES}${mediaType.toLowerCase()}`;
}

const frequencyIri = (frequency: Frequency): string => `${EU_AUTHORITY}/frequency/${frequency}`;

/** A set of triples in insertion order; shared nodes (licences, communes) are typed only once. */
interface Graph {
  add(subject: string, predicate: NamedNode, object: NamedNode | Literal): void;
  /** `subject` is an instance of `type`, and `subject` is the object of `predicate` on `from`. */
  link(from: string, predicate: NamedNode, subject: string, type: NamedNode): void;
  quads(): Quad[];
}

function createGraph(): Graph {
  const byKey = new Map<string, Quad>();
  const add: Graph["add"] = (subject, predicate, object) => {
    const q = quad(iri(subject), predicate, object);
    byKey.set(quadKey(q), q);
  };
  return {
    add,
    link(from, predicate, subject, type) {
      add(from, predicate, iri(subject));
      add(subject, RDF_TYPE, type);
    },
    quads: () => [...byKey.values()],
  };
}

/** Identity of a triple by its terms' values (escaping-independent). */
export function quadKey(q: Quad): string {
  const o = q.object;
  const extra = o.termType === "Literal" ? [o.language, o.datatype.value] : [];
  return JSON.stringify([q.subject.value, q.predicate.value, o.termType, o.value, ...extra]);
}

/** The catalogue's RDF graph, from which both serialisations are written. */
export function dcatQuads(catalog: CatalogDescription): Quad[] {
  const graph = createGraph();
  const iris = nodeIris(catalog.baseUrl);
  const lang = catalog.languages[0] ?? DEFAULT_LANGUAGE;
  describeCatalog(graph, catalog, iris, lang);
  describePublisher(graph, catalog.publisher, iris.publisher);
  describeContact(graph, catalog.contact, iris.contact);
  for (const dataset of catalog.datasets) describeDataset(graph, dataset, iris, lang);
  return groupBySubject(graph.quads());
}

function describeCatalog(graph: Graph, catalog: CatalogDescription, iris: NodeIris, lang: string): void {
  const c = iris.catalog;
  graph.add(c, RDF_TYPE, vocab("dcat", "Catalog"));
  graph.add(c, vocab("dct", "title"), literal(catalog.title, lang));
  graph.add(c, vocab("dct", "description"), literal(catalog.description, lang));
  graph.add(c, vocab("dct", "publisher"), iri(iris.publisher));
  graph.link(c, vocab("foaf", "homepage"), catalog.homepage, vocab("foaf", "Document"));
  for (const code of catalog.languages) {
    graph.link(c, vocab("dct", "language"), languageIri(code), vocab("dct", "LinguisticSystem"));
  }
  graph.add(c, vocab("dct", "modified"), dateTime(catalog.modified));
  // Geographical coverage is recommended for a catalogue: the union of its datasets' communes.
  for (const commune of new Set(catalog.datasets.flatMap((d) => d.communes))) {
    graph.link(c, vocab("dct", "spatial"), `${INSEE_COMMUNE}${commune}`, vocab("dct", "Location"));
  }
  for (const dataset of catalog.datasets)
    graph.add(c, vocab("dcat", "dataset"), iri(iris.dataset(dataset.id)));
}

function describePublisher(graph: Graph, publisher: Publisher, agent: string): void {
  graph.add(agent, RDF_TYPE, vocab("foaf", "Agent"));
  graph.add(agent, vocab("foaf", "name"), literal(publisher.name));
  // The SIREN is how French portals (data.gouv.fr, annuaire-entreprises) identify a public body.
  if (publisher.siren) graph.add(agent, vocab("dct", "identifier"), literal(publisher.siren));
}

function describeContact(graph: Graph, contact: CatalogDescription["contact"], node: string): void {
  graph.add(node, RDF_TYPE, vocab("vcard", "Kind"));
  graph.add(node, vocab("vcard", "fn"), literal(contact.name));
  graph.add(node, vocab("vcard", "hasEmail"), iri(`mailto:${contact.email}`));
}

function describeDataset(graph: Graph, dataset: DatasetDescription, iris: NodeIris, lang: string): void {
  const d = iris.dataset(dataset.id);
  graph.add(d, RDF_TYPE, vocab("dcat", "Dataset"));
  // The local id, not the IRI: it survives a move of the public domain, so harvesters
  // (data.gouv.fr keys on dct:identifier) keep updating the same dataset.
  graph.add(d, vocab("dct", "identifier"), literal(dataset.id));
  describeTexts(graph, d, dataset, lang);
  graph.add(d, vocab("dct", "publisher"), iri(iris.publisher));
  graph.add(d, vocab("dcat", "contactPoint"), iri(iris.contact));
  describeCoverage(graph, d, dataset);
  describeDates(graph, d, dataset);
  graph.link(d, vocab("dcat", "landingPage"), dataset.landingPage, vocab("foaf", "Document"));
  graph.link(d, vocab("dct", "conformsTo"), dataset.schemaUrl, vocab("dct", "Standard"));
  describeLicence(graph, d, dataset.licence);
  describeProvenance(graph, d, dataset);
  for (const distribution of dataset.distributions) {
    const node = iris.distribution(dataset.id, distribution.format);
    graph.add(d, vocab("dcat", "distribution"), iri(node));
    describeDistribution(graph, node, distribution, dataset, lang);
  }
}

function describeTexts(graph: Graph, d: string, dataset: DatasetDescription, lang: string): void {
  graph.add(d, vocab("dct", "title"), literal(dataset.title, lang));
  graph.add(d, vocab("dct", "description"), literal(dataset.description, lang));
  for (const keyword of dataset.keywords) graph.add(d, vocab("dcat", "keyword"), literal(keyword, lang));
}

function describeCoverage(graph: Graph, d: string, dataset: DatasetDescription): void {
  graph.link(
    d,
    vocab("dct", "accrualPeriodicity"),
    frequencyIri(dataset.frequency),
    vocab("dct", "Frequency"),
  );
  for (const commune of dataset.communes) {
    graph.link(d, vocab("dct", "spatial"), `${INSEE_COMMUNE}${commune}`, vocab("dct", "Location"));
  }
  graph.add(d, vocab("dcat", "temporalResolution"), duration(dataset.temporalResolution));
  if (!dataset.temporal) return;
  const period = `${d}#temporal`;
  graph.link(d, vocab("dct", "temporal"), period, vocab("dct", "PeriodOfTime"));
  graph.add(period, vocab("dcat", "startDate"), dateTime(dataset.temporal.start));
  graph.add(period, vocab("dcat", "endDate"), dateTime(dataset.temporal.end));
}

function describeDates(graph: Graph, d: string, dataset: DatasetDescription): void {
  if (dataset.issued !== undefined) graph.add(d, vocab("dct", "issued"), dateTime(dataset.issued));
  if (dataset.modified !== undefined) graph.add(d, vocab("dct", "modified"), dateTime(dataset.modified));
}

/** DCAT-AP puts the licence on distributions; data.gouv.fr also reads it on the dataset. */
function describeLicence(graph: Graph, node: string, id: string): void {
  const { iri: licenceIri, title } = licence(id);
  graph.link(node, vocab("dct", "license"), licenceIri, vocab("dct", "LicenseDocument"));
  graph.add(licenceIri, vocab("dct", "title"), literal(title));
}

function describeProvenance(graph: Graph, d: string, dataset: DatasetDescription): void {
  const node = `${d}#provenance`;
  const { id, version } = dataset.contract;
  graph.link(d, vocab("dct", "provenance"), node, vocab("dct", "ProvenanceStatement"));
  const text = `Agrégats calculés et publiés par Lanterne selon le contrat de données « ${id} », version ${version}.`;
  graph.add(node, vocab("rdfs", "label"), literal(text, DEFAULT_LANGUAGE));
}

function describeDistribution(
  graph: Graph,
  node: string,
  distribution: DistributionDescription,
  dataset: DatasetDescription,
  lang: string,
): void {
  graph.add(node, RDF_TYPE, vocab("dcat", "Distribution"));
  graph.add(node, vocab("dct", "title"), literal(distribution.title, lang));
  // The file is the access point itself, so accessURL (mandatory) and downloadURL coincide.
  graph.link(node, vocab("dcat", "accessURL"), distribution.downloadUrl, vocab("rdfs", "Resource"));
  graph.link(node, vocab("dcat", "downloadURL"), distribution.downloadUrl, vocab("rdfs", "Resource"));
  graph.link(
    node,
    vocab("dcat", "mediaType"),
    mediaTypeIri(distribution.mediaType),
    vocab("dct", "MediaType"),
  );
  const fileType = `${EU_AUTHORITY}/file-type/${distribution.format}`;
  graph.link(node, vocab("dct", "format"), fileType, vocab("dct", "MediaTypeOrExtent"));
  describeLicence(graph, node, dataset.licence);
  // A Table Schema describes CSV files: data.gouv.fr validates the CSV resource against it.
  if (distribution.format === "CSV") {
    graph.link(node, vocab("dct", "conformsTo"), dataset.schemaUrl, vocab("dct", "Standard"));
  }
}

/** Subjects in order of first appearance, each with its triples together (one Turtle block). */
function groupBySubject(quads: readonly Quad[]): Quad[] {
  const groups = new Map<string, Quad[]>();
  for (const q of quads) {
    const group = groups.get(q.subject.value);
    if (group) group.push(q);
    else groups.set(q.subject.value, [q]);
  }
  return [...groups.values()].flat();
}

/** The catalogue in Turtle, with the vocabulary prefixes. */
export function dcatTurtle(catalog: CatalogDescription): Promise<string> {
  const writer = new Writer({ prefixes: { ...DCAT_PREFIXES } });
  writer.addQuads(dcatQuads(catalog));
  return new Promise((resolve, reject) => {
    writer.end((error: Error | null, result: string) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * The catalogue in compact JSON-LD: an inline context of prefixes (the server may have no
 * internet, and harvesters should not need to fetch a context) and a flat `@graph` of nodes.
 */
export function dcatJsonLd(catalog: CatalogDescription): Record<string, unknown> {
  return { "@context": { ...DCAT_PREFIXES }, "@graph": jsonLdNodes(dcatQuads(catalog)) };
}

function jsonLdNodes(quads: readonly Quad[]): Record<string, unknown>[] {
  const nodes = new Map<string, Record<string, unknown[]>>();
  for (const q of quads) {
    let node = nodes.get(q.subject.value);
    if (!node) {
      node = {};
      nodes.set(q.subject.value, node);
    }
    const key = q.predicate.equals(RDF_TYPE) ? "@type" : compactIri(q.predicate.value);
    const value = q.predicate.equals(RDF_TYPE) ? compactIri(q.object.value) : jsonLdValue(q.object);
    node[key] = [...(node[key] ?? []), value];
  }
  return [...nodes].map(([id, node]) => ({ "@id": id, ...unwrapSingles(node) }));
}

/** `dcat:Dataset` for a vocabulary IRI; other IRIs stay absolute. */
function compactIri(value: string): string {
  for (const [prefix, namespace] of Object.entries(DCAT_PREFIXES)) {
    const local = value.slice(namespace.length);
    if (value.startsWith(namespace) && /^[A-Za-z][\w-]*$/.test(local)) return `${prefix}:${local}`;
  }
  return value;
}

function jsonLdValue(term: Quad["object"]): unknown {
  if (term.termType !== "Literal") return { "@id": term.value };
  if (term.language) return { "@value": term.value, "@language": term.language };
  if (term.datatype.value === XSD_STRING) return term.value;
  return { "@value": term.value, "@type": compactIri(term.datatype.value) };
}

function unwrapSingles(node: Record<string, unknown[]>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(node).map(([key, values]) => [key, values.length === 1 ? values[0] : values]),
  );
}
