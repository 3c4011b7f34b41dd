import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import createError from "@fastify/error";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { Presets, SingleBar } from "cli-progress";
import type { Config } from "../services/config.ts";

/**
 * `lanterne opendata export DIR`: every published open dataset, read from the RUNNING platform's
 * public open channel (/opendata, the one channel the same for everyone; the platform holds its
 * DuckDB files locked), written into a folder any portal can take: a Frictionless tabular Data
 * Package over the CSV files, the DCAT-AP 3 catalogue as served, and each dataset in its four
 * formats with its schema, metadata and changelog.
 *
 * The folder is written as a hidden sibling and renamed into place at the end, so a failed or
 * interrupted export leaves nothing half-written.
 */

export const EXPORT_HELP = `usage: lanterne opendata export DIR [--url URL] [--force]

Writes every published open dataset of a running platform into DIR, read over HTTP from its
public open channel (URL/opendata, what portals get).

  --url URL   the platform (default http://LANTERNE_HOST:LANTERNE_HTTP_PORT, i.e. http://127.0.0.1:8080)
  --force     replace DIR when it exists and is not empty (refused otherwise, exit code 2)

DIR/datapackage.json              Frictionless Data Package (tabular-data-package), one resource per CSV
DIR/catalog.jsonld, catalog.ttl   the DCAT-AP 3 catalogue as served
DIR/<id>/data.csv, data.json, data.geojson, data.parquet, schema.json, metadata.json, changelog.json
DIR/README.md                     the same, in French

Exit codes: 0 done, 1 platform unreachable or failing, 2 usage or DIR refused.`;

/** Every request has this long to answer, body included. */
export const REQUEST_TIMEOUT_MS = 30_000;
const CHANGELOG_PAGE = 1000;
const MAX_RATE_LIMIT_WAITS = 3;
const MAX_RETRY_AFTER_S = 60;
const DATA_FORMATS = ["csv", "json", "geojson", "parquet"] as const;

export const ExportDirRefusedError = createError(
  "ERR_EXPORT_DIR_NOT_EMPTY",
  "%s %s: choose another folder, or pass --force to replace it",
  409,
);
export const PlatformUnreachableError = createError(
  "ERR_PLATFORM_UNREACHABLE",
  "cannot reach the platform at %s (%s): is it running? --url gives its address",
  503,
);
export const ExportHttpError = createError("ERR_EXPORT_HTTP", "GET %s answered %s", 502);
export const ExportAnswerInvalidError = createError(
  "ERR_EXPORT_ANSWER_INVALID",
  "GET %s answered something that is not Lanterne's open channel: %s",
  502,
);
export const NothingPublishedError = createError(
  "ERR_EXPORT_NOTHING_PUBLISHED",
  "the platform at %s publishes no dataset yet: nothing to export",
  404,
);

/** What the export needs of `/opendata/catalog`; the id becomes a folder name, hence its pattern. */
const CatalogAnswer = Type.Object({
  datasets: Type.Array(
    Type.Object({
      id: Type.String({ pattern: "^[a-z][a-z0-9-]{2,79}$" }),
      title: Type.String(),
      description: Type.String(),
      licence: Type.String(),
      licence_url: Type.String(),
    }),
  ),
});
type DatasetEntry = Static<typeof CatalogAnswer>["datasets"][number];
const SchemaAnswer = Type.Object({
  fields: Type.Array(Type.Object({ name: Type.String() }), { minItems: 1 }),
});
const ChangelogAnswer = Type.Object({
  dataset: Type.String(),
  versions: Type.Array(Type.Object({ id: Type.Integer() })),
});

export interface ExportProgress {
  start(total: number): void;
  /** `done` datasets of the total are written; `id` is the last one. */
  advance(done: number, id: string): void;
  stop(): void;
}

export interface ExportOptions {
  dir: string;
  /** The platform's base URL, without /opendata. */
  url: string;
  force?: boolean;
  progress?: ExportProgress;
  timeoutMs?: number;
  /** Aborts the export (Ctrl+C): nothing is left behind. */
  signal?: AbortSignal;
}

export interface ExportSummary {
  dir: string;
  datasets: number;
  files: number;
  bytes: number;
}

export async function opendataCommand(config: Config, args: string[]): Promise<number> {
  const parsed = parseExportArgs(args);
  if (typeof parsed === "number") return parsed;
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once("SIGINT", abort).once("SIGTERM", abort);
  try {
    const summary = await exportOpenData({
      dir: parsed.dir,
      url: parsed.url ?? defaultUrl(config),
      force: parsed.force,
      progress: progressOn(process.stderr),
      signal: controller.signal,
    });
    console.log(summaryLine(summary));
    return 0;
  } catch (err) {
    return reportFailure(err);
  } finally {
    process.off("SIGINT", abort).off("SIGTERM", abort);
  }
}

type ExportArgs = { dir: string; url?: string; force: boolean };

/** The arguments, or the exit code when they are wrong or help was asked. */
function parseExportArgs(args: string[]): ExportArgs | number {
  let parsed: ReturnType<typeof parseExport>;
  try {
    parsed = parseExport(args);
  } catch (err) {
    console.error(`lanterne opendata export: ${(err as Error).message}\n\n${EXPORT_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, dir, ...extra] = positionals;
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  if (sub !== "export" || dir === undefined || extra.length > 0) {
    console.error(EXPORT_HELP);
    return 2;
  }
  if (values.url !== undefined && !isHttpUrl(values.url)) {
    console.error(`lanterne opendata export: --url must be an http:// or https:// URL, not ${values.url}`);
    return 2;
  }
  return { dir, force: values.force === true, ...(values.url ? { url: values.url } : {}) };
}

function parseExport(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}

/** The platform on this machine as configured; a wildcard bind address is reached on loopback. */
export function defaultUrl(config: Pick<Config, "host" | "httpPort">): string {
  const host = ["0.0.0.0", "::", ""].includes(config.host) ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.httpPort}`;
}

function reportFailure(err: unknown): number {
  const e = err as Error & { code?: string };
  if (e.name === "AbortError") {
    console.error("lanterne opendata export: interrupted, nothing written");
    return 130;
  }
  if (!isExportCode(e.code)) throw err;
  console.error(`lanterne opendata export: ${e.code}: ${e.message}`);
  return e.code === "ERR_EXPORT_DIR_NOT_EMPTY" ? 2 : 1;
}

function isExportCode(code: unknown): code is string {
  return typeof code === "string" && (code.startsWith("ERR_EXPORT") || code === "ERR_PLATFORM_UNREACHABLE");
}

export function summaryLine(s: ExportSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `exported ${plural(s.datasets, "dataset")}, ${plural(s.files, "file")}, ${plural(s.bytes, "byte")} to ${s.dir}`;
}

/**
 * The export: DIR is checked first, then the platform is asked for its catalogue before anything
 * is created, so that a refused folder or an unreachable platform leaves the disk as it was.
 */
export async function exportOpenData(options: ExportOptions): Promise<ExportSummary> {
  const dir = resolve(options.dir);
  await checkTarget(dir, options.force === true);
  const client = createClient(options.url, options.timeoutMs ?? REQUEST_TIMEOUT_MS, options.signal);
  const datasets = await listDatasets(client);
  await mkdir(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.partial-${randomBytes(6).toString("hex")}`);
  await mkdir(temp);
  try {
    await writeFolder(client, temp, datasets, options.progress ?? silentProgress);
    await moveIntoPlace(temp, dir);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
  return { dir, datasets: datasets.length, ...(await folderSize(dir)) };
}

/** Refuses a DIR that exists and is not an empty folder, unless forced (a file, never). */
async function checkTarget(dir: string, force: boolean): Promise<void> {
  const kind = await stat(dir).then(
    (s) => (s.isDirectory() ? "folder" : "other"),
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return "missing";
      throw err;
    },
  );
  if (kind === "other") throw new ExportDirRefusedError(dir, "exists and is not a folder");
  if (kind === "folder" && !force && (await readdir(dir)).length > 0)
    throw new ExportDirRefusedError(dir, "exists and is not empty");
}

async function listDatasets(client: Client): Promise<DatasetEntry[]> {
  const catalog = checked(
    CatalogAnswer,
    await client.json("/opendata/catalog"),
    client.url("/opendata/catalog"),
  );
  if (catalog.datasets.length === 0) throw new NothingPublishedError(client.base);
  return catalog.datasets;
}

async function writeFolder(
  client: Client,
  dir: string,
  datasets: readonly DatasetEntry[],
  progress: ExportProgress,
): Promise<void> {
  await client.download("/opendata/catalog.jsonld", join(dir, "catalog.jsonld"));
  await client.download("/opendata/catalog.ttl", join(dir, "catalog.ttl"));
  const resources: DataResource[] = [];
  progress.start(datasets.length);
  try {
    for (const [i, dataset] of datasets.entries()) {
      resources.push(await exportDataset(client, dir, dataset));
      progress.advance(i + 1, dataset.id);
    }
  } finally {
    progress.stop();
  }
  const now = new Date().toISOString();
  const catalogue = catalogueText(
    await readJson(join(dir, "catalog.jsonld"), client.url("/opendata/catalog.jsonld")),
  );
  const descriptor = dataPackage(catalogue, datasets, resources, now);
  await writeJson(join(dir, "datapackage.json"), descriptor);
  await writeFile(join(dir, "README.md"), readme({ base: client.base, now, catalogue, datasets }), "utf8");
}

/** One dataset's folder; answers its Data Package resource (the CSV with its schema inline). */
async function exportDataset(client: Client, dir: string, dataset: DatasetEntry): Promise<DataResource> {
  const path = `/opendata/datasets/${dataset.id}`;
  const folder = join(dir, dataset.id);
  await mkdir(folder);
  await client.download(path, join(folder, "metadata.json"));
  await client.download(`${path}/schema.json`, join(folder, "schema.json"));
  for (const format of DATA_FORMATS)
    await client.download(`${path}/data.${format}`, join(folder, `data.${format}`));
  await writeJson(join(folder, "changelog.json"), await fetchChangelog(client, dataset.id));
  const schemaUrl = client.url(`${path}/schema.json`);
  const schema = checked(SchemaAnswer, await readJson(join(folder, "schema.json"), schemaUrl), schemaUrl);
  return dataResource(dataset, schema, join(folder, "data.csv"));
}

/** Every version, newest first: pages of 1000 following `before`, until a short page. */
async function fetchChangelog(client: Client, id: string): Promise<Static<typeof ChangelogAnswer>> {
  const path = `/opendata/datasets/${id}/changelog?limit=${CHANGELOG_PAGE}`;
  const versions: Static<typeof ChangelogAnswer>["versions"] = [];
  let before: number | undefined;
  for (;;) {
    const url = before === undefined ? path : `${path}&before=${before}`;
    const page = checked(ChangelogAnswer, await client.json(url), client.url(url));
    versions.push(...page.versions);
    const last = page.versions.at(-1)?.id;
    // Ids strictly decrease page after page, so this ends; a page not moving on ends it too.
    if (
      page.versions.length < CHANGELOG_PAGE ||
      last === undefined ||
      (before !== undefined && last >= before)
    )
      return { dataset: id, versions };
    before = last;
  }
}

// ---------------------------------------------------------------------------------------------
// The Data Package (https://specs.frictionlessdata.io/tabular-data-package/), from what the
// channel served: each resource's schema is the dataset's schema.json, inline, as served.

type Licence = { name: string; path: string };
type DataResource = {
  name: string;
  path: string;
  profile: "tabular-data-resource";
  title: string;
  description: string;
  format: "csv";
  mediatype: "text/csv";
  encoding: "utf-8";
  bytes: number;
  hash: string;
  schema: Record<string, unknown>;
  licenses?: Licence[];
};

async function dataResource(
  dataset: DatasetEntry,
  schema: Record<string, unknown>,
  csv: string,
): Promise<DataResource> {
  const { bytes, hash } = await digest(csv);
  return {
    name: dataset.id,
    path: `${dataset.id}/data.csv`,
    profile: "tabular-data-resource",
    title: dataset.title,
    description: dataset.description,
    format: "csv",
    mediatype: "text/csv",
    encoding: "utf-8",
    bytes,
    hash: `sha256:${hash}`,
    schema,
  };
}

type CatalogueText = { title: string; description: string };

/**
 * The package's licence is the one most datasets have; a resource under another says its own
 * (the spec's resource-level `licenses`), so every CSV carries the licence its dataset states.
 */
export function dataPackage(
  catalogue: CatalogueText,
  datasets: readonly DatasetEntry[],
  resources: readonly DataResource[],
  created: string,
) {
  const main = mostCommonLicence(datasets);
  return {
    profile: "tabular-data-package",
    name: "lanterne-donnees-ouvertes",
    title: catalogue.title,
    description: catalogue.description,
    created,
    licenses: [main],
    resources: resources.map((resource, i) => {
      const own = licenceOf(datasets[i]);
      return own === undefined || own.name === main.name ? resource : { ...resource, licenses: [own] };
    }),
  };
}

function licenceOf(dataset: DatasetEntry | undefined): Licence | undefined {
  return dataset === undefined ? undefined : { name: dataset.licence, path: dataset.licence_url };
}

function mostCommonLicence(datasets: readonly DatasetEntry[]): Licence {
  const counts = new Map<string, { licence: Licence; n: number }>();
  for (const d of datasets) {
    const seen = counts.get(d.licence) ?? { licence: { name: d.licence, path: d.licence_url }, n: 0 };
    counts.set(d.licence, { ...seen, n: seen.n + 1 });
  }
  const ranked = [...counts.values()].sort((a, b) => b.n - a.n);
  const first = ranked[0];
  if (first === undefined) throw new RangeError("a Data Package needs at least one resource");
  return first.licence;
}

/** The catalogue's title and description, from the dcat:Catalog node of the JSON-LD graph. */
export function catalogueText(doc: unknown): CatalogueText {
  const graph = isRecord(doc) && Array.isArray(doc["@graph"]) ? doc["@graph"] : [];
  const node = graph.find((n: unknown) => isRecord(n) && [n["@type"]].flat().includes("dcat:Catalog"));
  const text = (key: string) => (isRecord(node) ? literal(node[key]) : undefined);
  return {
    title: text("dct:title") ?? "Données ouvertes",
    description: text("dct:description") ?? "Les jeux de données ouverts publiés par la plateforme Lanterne.",
  };
}

function literal(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first === "string") return first;
  return isRecord(first) && typeof first["@value"] === "string" ? first["@value"] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type ReadmeInput = { base: string; now: string; catalogue: CatalogueText; datasets: readonly DatasetEntry[] };

function readme({ base, now, catalogue, datasets }: ReadmeInput): string {
  const list = datasets.map((d) => `- \`${d.id}/\` : ${d.title} (licence ${d.licence})`).join("\n");
  return `# ${catalogue.title}

Export des données ouvertes publiées par ${base}/opendata, le ${now}.
${datasets.length} jeu${datasets.length === 1 ? "" : "x"} de données :

${list}

## Contenu du dossier

- \`datapackage.json\` : Data Package Frictionless (profil \`tabular-data-package\`), une ressource
  par fichier CSV, avec son schéma (Table Schema) et sa licence.
- \`catalog.jsonld\`, \`catalog.ttl\` : le catalogue DCAT-AP 3, tel que la plateforme le sert (ses
  liens pointent vers la plateforme).
- \`<id>/data.csv\`, \`data.json\`, \`data.geojson\`, \`data.parquet\` : les données, en quatre formats.
- \`<id>/schema.json\` : le schéma Table Schema du CSV.
- \`<id>/metadata.json\` : les métadonnées du jeu (licence, période couverte, définition).
- \`<id>/changelog.json\` : chaque version des chiffres publiés, la plus récente d'abord, avec sa raison.

Produit par \`lanterne opendata export\`.
`;
}

// ---------------------------------------------------------------------------------------------
// The open channel over HTTP: one timeout per request (body included), coded errors naming the URL.

interface Client {
  base: string;
  url(path: string): string;
  json(path: string): Promise<unknown>;
  /** Streams the answer into the file. */
  download(path: string, file: string): Promise<void>;
}

function createClient(base: string, timeoutMs: number, signal: AbortSignal | undefined): Client {
  const root = base.replace(/\/+$/, "");
  const url = (path: string) => `${root}${path}`;
  const get = (path: string) => request(url(path), root, timeoutMs, signal);
  return {
    base: root,
    url,
    json: (path) => guard(url(path), root, async () => (await get(path)).json()),
    download: (path, file) =>
      guard(url(path), root, async () => {
        const body = (await get(path)).body;
        if (body === null) throw new ExportAnswerInvalidError(url(path), "no body");
        await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), createWriteStream(file));
      }),
  };
}

/** A GET with its own timeout; a 429 waits as the rate limit says (a few times, at most a minute). */
async function request(
  url: string,
  base: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    const res = await guard(url, base, () => fetch(url, { signal: AbortSignal.any(signals) }));
    if (res.ok) return res;
    await res.body?.cancel();
    const wait = Number(res.headers.get("retry-after") ?? 1);
    if (res.status !== 429 || attempt >= MAX_RATE_LIMIT_WAITS)
      throw new ExportHttpError(url, `${res.status} ${res.statusText}`);
    await sleep(Math.min(Number.isFinite(wait) ? wait : 1, MAX_RETRY_AFTER_S) * 1000, undefined, { signal });
  }
}

/** Network failures and timeouts become ERR_PLATFORM_UNREACHABLE naming the platform; the rest passes. */
async function guard<T>(url: string, base: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
    if (e.name === "AbortError" || (typeof e.code === "string" && e.code.startsWith("ERR_EXPORT"))) throw err;
    if (e.name === "TimeoutError")
      throw new PlatformUnreachableError(base, `no answer to ${url} within the timeout`);
    if (e instanceof SyntaxError) throw new ExportAnswerInvalidError(url, e.message);
    if (e instanceof TypeError)
      throw new PlatformUnreachableError(base, e.cause?.code ?? e.cause?.message ?? e.message);
    throw err;
  }
}

function checked<T extends Parameters<typeof Value.Check>[0]>(
  schema: T,
  value: unknown,
  url: string,
): Static<T> {
  if (Value.Check(schema, value)) return value;
  const first = [...Value.Errors(schema, value)][0];
  throw new ExportAnswerInvalidError(
    url,
    first ? `${first.path || "/"} ${first.message}` : "unexpected shape",
  );
}

// ---------------------------------------------------------------------------------------------
// Files and progress.

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, "utf8");
}

/** A downloaded JSON document; one that does not parse is the platform's error, named by its URL. */
async function readJson(file: string, url: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new ExportAnswerInvalidError(url, (err as Error).message);
  }
}

async function digest(file: string): Promise<{ bytes: number; hash: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, hash: hash.digest("hex") };
}

/** DIR replaced in two renames; the old one (--force) is removed only once the new one is in place. */
async function moveIntoPlace(temp: string, dir: string): Promise<void> {
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (!exists) return rename(temp, dir);
  const aside = `${temp}.old`;
  await rename(dir, aside);
  try {
    await rename(temp, dir);
  } catch (err) {
    await rename(aside, dir);
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
}

async function folderSize(dir: string): Promise<{ files: number; bytes: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).size),
  );
  return { files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

export const silentProgress: ExportProgress = { start() {}, advance() {}, stop() {} };

/** A bar on a terminal; plain lines elsewhere (CI has no TTY): "export: 3/9 eau-pression-par-secteur". */
export function progressOn(stream: NodeJS.WriteStream): ExportProgress {
  if (!stream.isTTY) return linesOn(stream);
  const bar = new SingleBar(
    { stream, format: "export [{bar}] {value}/{total} {dataset}", hideCursor: true },
    Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0, { dataset: "" }),
    advance: (done, id) => bar.update(done, { dataset: id }),
    stop: () => bar.stop(),
  };
}

function linesOn(stream: NodeJS.WritableStream): ExportProgress {
  let total = 0;
  return {
    start: (n) => {
      total = n;
    },
    advance: (done, id) => stream.write(`export: ${done}/${total} ${id}\n`),
    stop() {},
  };
}
