import type { Manifest } from "./format.ts";
import { tableSchemaOf } from "./format.ts";
import type { BundleFile } from "./sink.ts";
import type { Column } from "./table-file.ts";

const MEDIA: Record<string, string> = {
  csv: "text/csv",
  parquet: "application/vnd.apache.parquet",
  ndjson: "application/x-ndjson",
  json: "application/json",
  geojson: "application/geo+json",
  yaml: "application/yaml",
  yml: "application/yaml",
  md: "text/markdown",
};

/**
 * The Frictionless Data Package (https://specs.frictionlessdata.io/data-package/): every CSV of
 * the bundle as a tabular resource with its Table Schema and SHA-256, every other file as a
 * plain resource with its media type, so that any Frictionless tool opens the bundle.
 */
export function dataPackage(
  manifest: Manifest,
  files: readonly BundleFile[],
  columnsOf: ReadonlyMap<string, readonly { name: string; type: string }[]>,
): object {
  const resources = manifest.files.map((f) => {
    const ext = f.path.split(".").at(-1) ?? "";
    const columns = columnsOf.get(f.path);
    const base = {
      name: f.path.toLowerCase().replace(/[^a-z0-9._-]+/g, "-"),
      path: f.path,
      format: ext,
      mediatype: MEDIA[ext] ?? "application/octet-stream",
      bytes: f.bytes,
      hash: `sha256:${f.sha256}`,
    };
    if (ext !== "csv" || !columns || !files.some((t) => t.path === f.path)) return base;
    return {
      ...base,
      profile: "tabular-data-resource",
      encoding: "utf-8",
      schema: tableSchemaOf(columns as readonly Column[]),
    };
  });
  return {
    profile: "data-package",
    name: `lanterne-${manifest.owner.id}-${manifest.createdAt.slice(0, 10)}`
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-"),
    title: `Données de ${manifest.owner.name} (Lanterne)`,
    created: manifest.createdAt,
    licenses: [
      {
        name: "etalab-2.0",
        title: "Licence Ouverte / Open Licence 2.0",
        path: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
      },
    ],
    resources,
  };
}

/** What the bundle holds, in French then English, for whoever opens the folder first. */
export function bundleReadme(m: Manifest): string {
  const scope = m.scope.operator === null ? "toute la plateforme" : `l'opérateur ${m.scope.operator}`;
  const scopeEn = m.scope.operator === null ? "the whole platform" : `operator ${m.scope.operator}`;
  const counts = Object.entries(m.counts)
    .map(([k, v]) => `- ${k}: ${v}`)
    .join("\n");
  return `# Données de ${m.owner.name}

Lot de réversibilité exporté par Lanterne le ${m.createdAt}, périmètre : ${scope}.
Les données appartiennent à ${m.owner.name}. Chaque fichier est listé dans \`manifest.json\` avec
sa taille et son empreinte SHA-256 ; \`datapackage.json\` décrit chaque table (Table Schema).

- \`contracts/\` : les contrats de données, toutes versions (ODCS v3.1, YAML).
- \`inventory/devices.geojson\` : les équipements, leurs attributs et leurs affectations.
- \`readings/<contrat>@<version>/<AAAA-MM>.csv\` (et \`.parquet\`) : les relevés bruts, une ligne
  par équipement et instant, une colonne \`f_<champ>\` par champ du contrat.
- \`rollups/<1h|1d>/\` : les agrégats horaires et journaliers par équipement et par commune.
- \`quarantine.csv\`, \`violations.csv\` : les envois refusés et les valeurs écartées, avec leurs motifs.
- \`alerts/\` : les alertes et leur historique (NDJSON).
- \`ledger/\` : le registre des livraisons derrière les tableaux de conformité.
- \`registers/\` : les dérogations et les violations de données personnelles.
- \`access-log.ndjson\` : le journal des accès, chaîné par SHA-256 (\`lanterne access-log verify --file\`).

Cellules vides : valeur absente. Instants en UTC (ISO 8601). Texte tel que stocké (aucun
échappement pour tableur). Recharger dans un Lanterne vide : \`lanterne import <dossier>\`.

## English

Reversibility bundle exported by Lanterne on ${m.createdAt}, scope: ${scopeEn}. Every file is in
\`manifest.json\` with its size and SHA-256; \`datapackage.json\` describes each table. Empty cells
are missing values; instants are UTC; text is as stored. Load it into an empty Lanterne with
\`lanterne import <folder>\`.

## Counts

${counts}
`;
}
