import { parseArgs } from "node:util";
import { csvOf } from "../services/clauses/processing-register.ts";
import {
  type ContractSobriety,
  dataDirFootprint,
  type SobrietyReport,
  sobrietyReport,
} from "../services/clauses/sobriety.ts";
import type { Config } from "../services/config.ts";
import { openStores } from "./bundle.ts";

/**
 * `lanterne report sobriety --year Y [--format text|json|csv]`: the yearly sobriety report of a
 * stopped Lanterne (its DuckDB files are locked while it runs; the running platform serves the
 * same as GET /api/v1/reports/sobriety?year=Y). French text for a reader by default.
 */
const USAGE = "usage: lanterne report sobriety --year YYYY [--format text|json|csv]";

export async function reportCommand(config: Config, args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  if (kind !== "sobriety") {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { year: { type: "string" }, format: { type: "string", default: "text" } },
  });
  const year = Number(values.year);
  const format = values.format;
  if (!/^\d{4}$/.test(values.year ?? "") || (format !== "text" && format !== "json" && format !== "csv")) {
    console.error(USAGE);
    return 2;
  }
  let stores: Awaited<ReturnType<typeof openStores>>;
  try {
    stores = await openStores(config);
  } catch (err) {
    console.error(
      `lanterne report: the stores could not be opened (${(err as Error).message.split("\n")[0]}).\n` +
        "If the platform is running, it holds them: ask GET /api/v1/reports/sobriety?year=YYYY (staff).",
    );
    return 1;
  }
  try {
    const report = await sobrietyReport(
      {
        contracts: stores.sources.contracts.all(),
        ledger: stores.sources.clauses,
        store: stores.sources.store,
        footprint: () => dataDirFootprint(config.dataDir, config.store.startsWith("influx://")),
        hostingLocation: config.hostingLocation,
        now: Date.now,
      },
      year,
    );
    if (format === "json") console.log(JSON.stringify(report, null, 2));
    else if (format === "csv") process.stdout.write(csvOf(sobrietyCsvRows(report)));
    else console.log(formatSobriety(report, stores.sources.owner.name));
    return 0;
  } finally {
    await stores.close();
  }
}

const MONTHS = [
  "janv.",
  "févr.",
  "mars",
  "avr.",
  "mai",
  "juin",
  "juil.",
  "août",
  "sept.",
  "oct.",
  "nov.",
  "déc.",
];
const TIER_NAMES: Record<string, string> = { raw: "brut", "1h": "horaire", "1d": "quotidien" };

const n = (x: number) => x.toLocaleString("fr-FR");
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The report as French text for a terminal or a printed annex. */
export function formatSobriety(report: SobrietyReport, owner: string): string {
  const lines = [
    `Rapport de sobriété des données — année ${report.year}`,
    `${owner} — produit le ${day(report.generatedAt)} (UTC)`,
    `Hébergement de la plateforme : ${report.hostingLocation}`,
    "",
  ];
  for (const c of report.contracts) lines.push(...contractLines(c, report.year), "");
  lines.push("Empreinte de stockage (dossier de données de la plateforme)");
  if (!report.footprint.timeSeriesMeasuredHere) {
    lines.push(
      "  Les séries temporelles sont dans InfluxDB : leur taille se mesure sur le serveur InfluxDB, pas ici.",
    );
  }
  for (const f of report.footprint.files) lines.push(`  ${f.name.padEnd(28)} ${size(f.bytes).padStart(12)}`);
  lines.push(`  ${"total".padEnd(28)} ${size(report.footprint.totalBytes).padStart(12)}`, "");
  lines.push(
    "Suppressions par la conservation : le cumul n'est pas enregistré par la plateforme (seule la dernière",
    "purge du processus en cours est connue). Le nombre de relevés de l'année dépassant leur durée de",
    "conservation brute, tiré du registre des livraisons, en tient lieu.",
  );
  return lines.join("\n");
}

function contractLines(c: ContractSobriety, year: number): string[] {
  const lines = [
    `== ${c.name} (${c.contractId}) — domaine ${c.domain}, version${c.versions.length > 1 ? "s" : ""} ${c.versions.join(", ")}`,
    `Hébergement : ${c.hostingLocation}`,
    "Champs et finalités :",
  ];
  for (const f of c.fields) {
    const mark = f.personal ? " [donnée personnelle]" : "";
    const why = f.personal
      ? f.purpose === null
        ? "aucune finalité déclarée : jamais collecté"
        : `finalité : ${f.purpose}`
      : (f.purpose ?? "(sans description)");
    lines.push(`  - ${f.name}${f.unit ? ` (${f.unit})` : ""}${mark} : ${why}`);
  }
  lines.push(`Relevés reçus en ${year} : ${n(c.readings.total)}`);
  lines.push(`  ${c.readings.byMonth.map((v, i) => `${MONTHS[i]} ${n(v)}`).join(" · ")}`);
  const tiers = c.stored.tiers
    .map((t) => `${TIER_NAMES[t.tier] ?? t.tier} ${t.rows === null ? "non mesuré" : n(t.rows)}`)
    .join(", ");
  const raw = c.stored.rawValuesOfYear === null ? "non mesuré" : n(c.stored.rawValuesOfYear);
  lines.push(`Valeurs conservées : brutes de ${year} : ${raw} ; aujourd'hui par niveau : ${tiers}`);
  for (const r of c.retention) {
    lines.push(
      `Conservation (version ${r.version}) : brut ${days(r.rawDays)}, horaire ${days(r.hourlyDays)}, quotidien ${days(r.dailyDays)}`,
    );
  }
  lines.push(
    `Au-delà de la durée brute (supprimés par la purge horaire) : ${n(c.deleted.rawReadingsPastRetention)} relevés de ${year}`,
  );
  if (c.deleted.lastPurge) {
    lines.push(
      `  Dernière purge le ${day(c.deleted.lastPurge.at)} : ${n(c.deleted.lastPurge.removed)} lignes supprimées`,
    );
  }
  lines.push(
    `Refusé comme non nécessaire : ${n(c.refused.unknownFields)} valeurs de champs non déclarés, ` +
      `${n(c.refused.personalWithoutPurpose)} valeurs personnelles sans finalité`,
  );
  return lines;
}

function days(d: number): string {
  if (d % 365 === 0) return `${d / 365} an${d === 365 ? "" : "s"}`;
  return `${d} jour${d === 1 ? "" : "s"}`;
}

function size(b: number): string {
  if (b < 1024) return `${b} o`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} Kio`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} Mio`;
  return `${(b / 1024 ** 3).toFixed(2)} Gio`;
}

/** One row per contract, the months as columns. */
export function sobrietyCsvRows(report: SobrietyReport): string[][] {
  const header = [
    "annee",
    "contrat",
    "domaine",
    "versions",
    "hebergement",
    "releves",
    ...MONTHS.map((_, i) => `releves_${String(i + 1).padStart(2, "0")}`),
    "valeurs_brutes_annee",
    "lignes_brut",
    "lignes_horaire",
    "lignes_quotidien",
    "conservation_brute_jours",
    "conservation_horaire_jours",
    "conservation_quotidienne_jours",
    "releves_au_dela_conservation_brute",
    "refus_champs_non_declares",
    "refus_personnels_sans_finalite",
  ];
  const text = (v: number | null) => (v === null ? "" : String(v));
  const rows = report.contracts.map((c) => {
    const newest = c.retention[c.retention.length - 1];
    return [
      String(report.year),
      c.contractId,
      c.domain,
      c.versions.join(" "),
      c.hostingLocation,
      String(c.readings.total),
      ...c.readings.byMonth.map(String),
      text(c.stored.rawValuesOfYear),
      ...c.stored.tiers.map((t) => text(t.rows)),
      text(newest?.rawDays ?? null),
      text(newest?.hourlyDays ?? null),
      text(newest?.dailyDays ?? null),
      String(c.deleted.rawReadingsPastRetention),
      String(c.refused.unknownFields),
      String(c.refused.personalWithoutPurpose),
    ];
  });
  return [header, ...rows];
}
