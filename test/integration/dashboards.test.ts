import { execFile } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Observation } from "../../services/domain/types.ts";
import { createInfluxStore } from "../../services/storage/influx-store.ts";
import { startInfluxd } from "../helpers/influxd.ts";

/**
 * Every query of every Grafana dashboard in `dashboards/`, run for real on InfluxDB 1.x against
 * data shaped like what Lanterne writes: no panel may fail or come back empty, and no query may
 * name a measurement, tag or field Lanterne does not write, nor chart a counter's meter readings
 * where its consumption is meant. The energy panels are also run on rollups Lanterne itself
 * computed from meter readings, and must answer their consumption. The InfluxDB part is skipped
 * loudly (never under CI) on a machine without `influxd`; the schema part needs no server.
 */

const DASHBOARD_DIR = fileURLToPath(new URL("../../dashboards/", import.meta.url));
const SETUP_SCRIPT = fileURLToPath(new URL("../../infra/influxdb/setup-1x.sh", import.meta.url));
const DB = "lanterne";
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// -------------------------------------------------------------------------------------------------
// The schema Lanterne writes (line protocol, precision ms)

type FieldType = "float" | "string";
type RetentionPolicy = "raw" | "hourly" | "daily";

interface MeasurementSchema {
  rp: RetentionPolicy;
  tags: readonly string[];
  fields: Readonly<Record<string, FieldType>>;
}

const DEVICE_TAGS = ["device_id", "operator", "commune", "contract", "owner"] as const;

/** Contract fields per domain (measurement), with the values a string field may take. */
const DOMAINS: Record<string, Record<string, FieldType>> = {
  streetlight: {
    power_state: "string",
    status: "string",
    illuminance_level: "float",
    active_power_w: "float",
    energy_kwh: "float",
  },
  water_pressure: { pressure_bar: "float", flow_m3h: "float", battery_level: "float" },
  waste_container: {
    filling_level: "float",
    temperature_c: "float",
    status: "string",
    battery_level: "float",
  },
};

const ALLOWED_VALUES: Record<string, Record<string, readonly string[]>> = {
  streetlight: {
    power_state: ["on", "off", "low", "bootingUp"],
    status: ["ok", "defectiveLamp", "brokenLantern", "columnIssue"],
  },
  waste_container: { status: ["ok", "lidOpen", "dropped", "moved", "vandalized", "burning", "unknown"] },
};

/** Cumulative meters (contract measure kind `counter`) per domain. */
const COUNTERS: Record<string, readonly string[]> = { streetlight: ["energy_kwh"] };
const COUNTER_FIELDS = new Set(Object.values(COUNTERS).flat());

const ROLLUP_FIELDS: Record<string, FieldType> = {
  mean: "float",
  min: "float",
  max: "float",
  count: "float",
};

/** Rollups of counter fields also carry `sum`, their consumption over the bucket. */
const COUNTER_ROLLUP_FIELDS: Record<string, FieldType> = { ...ROLLUP_FIELDS, sum: "float" };

const SCHEMA: Record<string, MeasurementSchema> = {
  lanterne_platform: {
    rp: "raw",
    tags: ["instance"],
    fields: {
      readings_accepted: "float",
      readings_quarantined: "float",
      write_pending: "float",
      spool_depth: "float",
      spool_age_s: "float",
      mqtt_connections: "float",
    },
  },
  rollup_commune_1h: { rp: "hourly", tags: ["commune", "domain", "field"], fields: COUNTER_ROLLUP_FIELDS },
  rollup_commune_1d: { rp: "daily", tags: ["commune", "domain", "field"], fields: COUNTER_ROLLUP_FIELDS },
};
for (const [domain, fields] of Object.entries(DOMAINS)) {
  const rollupFields = COUNTERS[domain] ? COUNTER_ROLLUP_FIELDS : ROLLUP_FIELDS;
  SCHEMA[domain] = { rp: "raw", tags: DEVICE_TAGS, fields };
  SCHEMA[`${domain}_1h`] = { rp: "hourly", tags: [...DEVICE_TAGS, "field"], fields: rollupFields };
  SCHEMA[`${domain}_1d`] = { rp: "daily", tags: [...DEVICE_TAGS, "field"], fields: rollupFields };
}

function numericFields(domain: string): string[] {
  return Object.entries(DOMAINS[domain] ?? {})
    .filter(([, type]) => type === "float")
    .map(([name]) => name);
}

// -------------------------------------------------------------------------------------------------
// The dashboards and their queries

interface Target {
  refId: string;
  query: string;
  rawQuery?: boolean;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  timeFrom?: string;
  targets?: Target[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  current?: { value?: string | string[] };
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

interface Query {
  dashboard: string;
  where: string;
  /** As written in the dashboard. */
  raw: string;
  /** With Grafana's macros and the dashboard variables replaced, ready for InfluxDB. */
  influxql: string;
}

/** What the test gives each dashboard variable: regexes matching part of the seed, as Grafana formats a multi-value. */
const VARIABLE_VALUES: Record<string, string> = {
  commune: "(57038|54580)",
  operator: "(lumiere-est|eaux-alzette|collecte-nord)",
  instance: "(lanterne-1)",
};

function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(`${DASHBOARD_DIR}${file}`, "utf8")) as Dashboard,
    }));
}

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

function variableQuery(v: Variable): string | undefined {
  return typeof v.query === "string" ? v.query : v.query?.query;
}

/** Replaces Grafana's macros and variables as Grafana would for the range `now - range`. */
function substitute(query: string, dashboard: Dashboard, range: string): string {
  let q = query.replaceAll("$timeFilter", `time > now() - ${range}`).replaceAll("$__interval", "1m");
  for (const v of dashboard.templating.list) {
    if (v.type === "datasource") continue;
    const current = Array.isArray(v.current?.value) ? v.current.value[0] : v.current?.value;
    const value = VARIABLE_VALUES[v.name] ?? current;
    if (value === undefined) throw new Error(`no test value for variable ${v.name}`);
    q = q.replaceAll(`\${${v.name}}`, value).replace(new RegExp(`\\$${v.name}\\b`, "g"), value);
  }
  return q;
}

function collectQueries(): Query[] {
  const queries: Query[] = [];
  for (const { file, dashboard } of loadDashboards()) {
    for (const v of dashboard.templating.list) {
      const raw = variableQuery(v);
      if (v.type !== "query" || raw === undefined) continue;
      queries.push({
        dashboard: file,
        where: `variable $${v.name}`,
        raw,
        influxql: substitute(raw, dashboard, "6h"),
      });
    }
    for (const panel of allPanels(dashboard.panels)) {
      for (const t of panel.targets ?? []) {
        queries.push({
          dashboard: file,
          where: `panel ${panel.id} "${panel.title}" [${t.refId}]`,
          raw: t.query,
          influxql: substitute(t.query, dashboard, panel.timeFrom ?? "6h"),
        });
      }
    }
  }
  return queries;
}

const QUERIES = collectQueries();
/** The queries charting a counter (energy): each must answer the consumption. */
const COUNTER_QUERIES = QUERIES.filter((q) => [...COUNTER_FIELDS].some((f) => q.raw.includes(`'${f}'`)));

// -------------------------------------------------------------------------------------------------
// A small InfluxQL reader: enough to list the names a query uses

const KEYWORDS = new Set(
  [
    "select",
    "from",
    "where",
    "and",
    "or",
    "as",
    "group",
    "by",
    "fill",
    "none",
    "null",
    "time",
    "now",
    "show",
    "tag",
    "values",
    "with",
    "key",
    "limit",
    "order",
    "desc",
    "asc",
    "last",
    "first",
    "mean",
    "min",
    "max",
    "sum",
    "count",
    "non_negative_derivative",
    "non_negative_difference",
  ].map((k) => k.toLowerCase()),
);

interface Names {
  /** [retention policy or undefined, measurement] for every FROM. */
  measurements: [string | undefined, string][];
  /** Every other double-quoted identifier. */
  identifiers: string[];
  aliases: string[];
  /** Unquoted words that are not InfluxQL keywords or functions. */
  bareWords: string[];
  /** [identifier, literal] for every `"x" = 'v'`, `"x" <> 'v'`, and each alternative of `"x" =~ /^(a|b)$/`. */
  comparisons: [string, string][];
}

function readNames(query: string): Names {
  const comparisons: [string, string][] = [];
  for (const m of query.matchAll(/"(\w+)"\s*(?:=|<>|!=)\s*'([^']*)'/g))
    comparisons.push([m[1] ?? "", m[2] ?? ""]);
  for (const m of query.matchAll(/"(\w+)"\s*=~\s*\/\^\(([\w|]+)\)\$\//g)) {
    for (const alt of (m[2] ?? "").split("|")) comparisons.push([m[1] ?? "", alt]);
  }
  // Regexes only follow =~ or !~ (a lone slash is a division).
  const text = query
    .replace(/(=~|!~)\s*\/(?:[^/\\]|\\.)*\//g, "$1 REGEX")
    .replace(/'(?:[^'\\]|\\.)*'/g, "LITERAL");
  const measurements: [string | undefined, string][] = [];
  const withoutFrom = text.replace(
    /\bFROM\s+(?:"(\w+)"\.)?"(\w+)"/gi,
    (_, rp: string | undefined, m: string) => {
      measurements.push([rp, m]);
      return "FROM MEASUREMENT";
    },
  );
  const aliases = [...withoutFrom.matchAll(/\bAS\s+"(\w+)"/gi)].map((m) => m[1] ?? "");
  const identifiers = [...withoutFrom.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
  const bareWords = [...withoutFrom.replace(/"[^"]*"/g, " ").matchAll(/(?<![\w.])[A-Za-z_]\w*/g)]
    .map((m) => m[0])
    .filter((w) => !KEYWORDS.has(w.toLowerCase()) && !["REGEX", "LITERAL", "MEASUREMENT"].includes(w))
    // Durations and numbers (6h, 1m, 30d, 1000) start with a digit and are not words.
    .filter((w) => !/^\d/.test(w));
  return { measurements, identifiers, aliases, bareWords, comparisons };
}

/** Problems of one query against the schema: unknown measurements, names, values. */
function schemaProblems(query: string): string[] {
  const names = readNames(query);
  const problems: string[] = [];
  for (const word of names.bareWords) problems.push(`unquoted or unknown word ${word} (quote identifiers)`);
  const used = names.measurements.map(([, m]) => m);
  for (const [rp, m] of names.measurements) {
    const schema = SCHEMA[m];
    if (!schema) {
      problems.push(`unknown measurement ${m}`);
      continue;
    }
    // An unqualified measurement is read from the default policy, which is "raw".
    if ((rp ?? "raw") !== schema.rp)
      problems.push(`${m} is in retention policy ${schema.rp}, not ${rp ?? "(default)"}`);
  }
  // Without FROM (SHOW TAG VALUES WITH KEY = ...), any measurement may answer.
  const scope = used.length > 0 ? used.filter((m) => SCHEMA[m]) : Object.keys(SCHEMA);
  const known = new Set(
    scope.flatMap((m) => [...(SCHEMA[m]?.tags ?? []), ...Object.keys(SCHEMA[m]?.fields ?? {})]),
  );
  for (const id of names.identifiers) {
    if (!known.has(id) && !names.aliases.includes(id))
      problems.push(`"${id}" is no tag or field of ${scope.join(", ")}`);
  }
  const domains = new Set(Object.keys(DOMAINS));
  const rollupDomains = used.map((m) => m.replace(/_1[hd]$/, "")).filter((d) => domains.has(d));
  const domainLiterals = names.comparisons.filter(([id]) => id === "domain").map(([, v]) => v);
  for (const [id, value] of names.comparisons) {
    if (id === "domain" && !domains.has(value)) problems.push(`unknown domain '${value}'`);
    if (id === "field") {
      const candidates = [...rollupDomains, ...domainLiterals];
      if (!candidates.some((d) => numericFields(d).includes(value))) {
        problems.push(
          `rollup field '${value}' is no numeric field of ${candidates.join(", ") || "any domain"}`,
        );
      }
    }
    for (const m of used) {
      const allowed = ALLOWED_VALUES[m]?.[id];
      if (allowed && !allowed.includes(value)) problems.push(`${m}.${id} never takes the value '${value}'`);
    }
  }
  return [...problems, ...counterProblems(query, names)];
}

/**
 * A counter's readings are meter positions: their mean, minimum, maximum or sum is no energy. Its
 * consumption is the rollups' `sum`, which only counter fields' rollups carry.
 */
function counterProblems(query: string, names: Names): string[] {
  const problems: string[] = [];
  const fields = names.comparisons.filter(([id]) => id === "field").map(([, v]) => v);
  const counters = fields.filter((f) => COUNTER_FIELDS.has(f));
  if (names.identifiers.includes("sum") && (fields.length === 0 || counters.length < fields.length))
    problems.push(`"sum" is only written on counter fields' rollups: restrict "field" to counters`);
  const readings = ["mean", "min", "max"].filter((stat) => names.identifiers.includes(stat));
  for (const counter of counters) {
    if (readings.length > 0)
      problems.push(`'${counter}' is a counter: ${readings.join(", ")} of meter readings are no consumption`);
  }
  for (const m of query.matchAll(/\b(?:MEAN|MEDIAN|SUM|MIN|MAX|SPREAD)\(\s*"(\w+)"/gi)) {
    if (COUNTER_FIELDS.has(m[1] ?? "")) problems.push(`'${m[1]}' is a counter: aggregate its rollups' "sum"`);
  }
  return problems;
}

describe("dashboard queries and the schema Lanterne writes", () => {
  it("finds queries in every dashboard", () => {
    const files = new Set(QUERIES.map((q) => q.dashboard));
    expect([...files].sort()).toEqual([
      "lanterne-overview.json",
      "lanterne-platform.json",
      "lanterne-streetlight.json",
      "lanterne-waste.json",
      "lanterne-water.json",
    ]);
  });

  it("the checker catches what it should", () => {
    expect(
      schemaProblems(`SELECT MEAN("pressure_bar") FROM "water_pressure" WHERE time > now() - 6h`),
    ).toEqual([]);
    expect(schemaProblems(`SELECT MEAN("pressure") FROM "water_pressure"`)).toEqual([
      `"pressure" is no tag or field of water_pressure`,
    ]);
    expect(schemaProblems(`SELECT MEAN(pressure_bar) FROM "water_pressure"`)).toEqual([
      "unquoted or unknown word pressure_bar (quote identifiers)",
    ]);
    expect(schemaProblems(`SELECT "max" FROM "streetlight_1d" WHERE "field" = 'status'`)).toEqual([
      "streetlight_1d is in retention policy daily, not (default)",
      "rollup field 'status' is no numeric field of streetlight",
    ]);
    expect(schemaProblems(`SELECT COUNT("status") FROM "waste_container" WHERE "status" = 'onFire'`)).toEqual(
      ["waste_container.status never takes the value 'onFire'"],
    );
  });

  it("the checker refuses meter readings where consumption is meant", () => {
    const daily = `FROM "daily"."streetlight_1d" WHERE "field" = 'energy_kwh' AND time > now() - 30d`;
    expect(schemaProblems(`SELECT SUM("sum") ${daily} GROUP BY time(1d), "commune"`)).toEqual([]);
    expect(schemaProblems(`SELECT SUM("kwh") FROM (SELECT "max" - "min" AS "kwh" ${daily})`)).toEqual([
      `'energy_kwh' is a counter: min, max of meter readings are no consumption`,
    ]);
    expect(schemaProblems(`SELECT MEAN("mean") ${daily}`)).toEqual([
      `'energy_kwh' is a counter: mean of meter readings are no consumption`,
    ]);
    expect(schemaProblems(`SELECT MEAN("energy_kwh") FROM "streetlight"`)).toEqual([
      `'energy_kwh' is a counter: aggregate its rollups' "sum"`,
    ]);
    expect(
      schemaProblems(
        `SELECT SUM("sum") FROM "daily"."rollup_commune_1d" WHERE "domain" = 'streetlight' AND "field" = 'active_power_w'`,
      ),
    ).toEqual([`"sum" is only written on counter fields' rollups: restrict "field" to counters`]);
    expect(
      schemaProblems(`SELECT SUM("sum") FROM "daily"."water_pressure_1d" WHERE "field" = 'flow_m3h'`),
    ).toEqual([
      `"sum" is no tag or field of water_pressure_1d`,
      `"sum" is only written on counter fields' rollups: restrict "field" to counters`,
    ]);
  });

  it("finds the energy panels of the overview and the lighting dashboard", () => {
    expect(COUNTER_QUERIES.map((q) => q.dashboard).sort()).toEqual([
      "lanterne-overview.json",
      "lanterne-streetlight.json",
    ]);
  });

  for (const q of QUERIES) {
    it(`${q.dashboard} ${q.where} uses only what Lanterne writes`, () => {
      expect(q.influxql, "a variable or macro is left").not.toMatch(/\$\{?[A-Za-z_]|\[\[/);
      expect(schemaProblems(q.influxql)).toEqual([]);
    });
  }
});

// -------------------------------------------------------------------------------------------------
// Seed: a few devices per domain over the last hours, with faults, silences and rollups

interface Device {
  id: string;
  domain: "streetlight" | "water_pressure" | "waste_container";
  commune: string;
  operator: string;
  /** No reading for this long before now. */
  silentMs?: number;
  /** Values of the last reading; earlier readings are derived from them. */
  last: Record<string, number | string>;
}

const CONTRACT_VERSION = "1.0.0";
const CONTRACTS = {
  streetlight: "ccphva-streetlight",
  water_pressure: "ccphva-water-pressure",
  waste_container: "ccphva-waste-container",
} as const;
const PERIOD = { streetlight: 15 * MINUTE, water_pressure: 15 * MINUTE, waste_container: HOUR } as const;

const lamp = (
  id: string,
  commune: string,
  power_state: string,
  status: string,
  silentMs?: number,
): Device => ({
  id,
  domain: "streetlight",
  commune,
  operator: "lumiere-est",
  ...(silentMs ? { silentMs } : {}),
  last: {
    power_state,
    status,
    illuminance_level: power_state === "on" ? 1 : power_state === "low" ? 0.45 : 0,
    active_power_w: status !== "ok" || power_state === "off" ? 0 : power_state === "low" ? 22.5 : 50,
    energy_kwh: 1234.5,
  },
});

const pressure = (id: string, commune: string, bar: number, battery = 0.8, silentMs?: number): Device => ({
  id,
  domain: "water_pressure",
  commune,
  operator: "eaux-alzette",
  ...(silentMs ? { silentMs } : {}),
  last: { pressure_bar: bar, flow_m3h: 12.5, battery_level: battery },
});

const container = (
  id: string,
  commune: string,
  fill: number,
  status: string,
  extra: { temperature?: number; battery?: number; silentMs?: number } = {},
): Device => ({
  id,
  domain: "waste_container",
  commune,
  operator: "collecte-nord",
  ...(extra.silentMs ? { silentMs: extra.silentMs } : {}),
  last: {
    filling_level: fill,
    temperature_c: extra.temperature ?? 14.5,
    status,
    battery_level: extra.battery ?? 0.7,
  },
});

const DEVICES: Device[] = [
  lamp("lum-57038-0001", "57038", "on", "ok"),
  lamp("lum-57038-0002", "57038", "on", "defectiveLamp"),
  lamp("lum-57038-0003", "57038", "on", "ok", HOUR),
  lamp("lum-54580-0001", "54580", "low", "brokenLantern"),
  lamp("lum-54580-0002", "54580", "off", "ok"),
  lamp("lum-54580-0003", "54580", "bootingUp", "ok"),
  lamp("lum-57529-0001", "57529", "low", "columnIssue"),
  pressure("pre-57038-001", "57038", 1.6),
  pressure("pre-57038-002", "57038", 2.7),
  pressure("pre-54580-001", "54580", 4.1),
  pressure("pre-54580-002", "54580", 6.4, 0.15),
  pressure("pre-54580-003", "54580", 4.6, 0.8, 2 * HOUR),
  pressure("pre-57529-001", "57529", 3.9),
  container("pav-57038-001", "57038", 0.92, "burning", { temperature: 180 }),
  container("pav-57038-002", "57038", 0.88, "vandalized"),
  container("pav-57038-003", "57038", 0.2, "ok"),
  container("pav-54580-001", "54580", 0.3, "lidOpen", { battery: 0.12 }),
  container("pav-54580-002", "54580", 0.55, "dropped"),
  container("pav-54580-003", "54580", 0.4, "moved", { silentMs: 3 * HOUR }),
  container("pav-57529-001", "57529", 0.6, "ok"),
];

/** Value of a field `steps` readings before the last one: counters grow, the rest moves a little. */
function earlier(device: Device, field: string, steps: number): number | string {
  const last = device.last[field];
  if (typeof last === "string") {
    // The fault or state came with the last hour's readings; before that, all was well and lit.
    if (steps < 4) return last;
    return field === "power_state" ? "on" : "ok";
  }
  if (last === undefined) return 0;
  switch (field) {
    case "energy_kwh":
      return last - steps * 0.0125;
    case "pressure_bar":
      // The low one is a leak: pressure fell from 3.4 bar over the last hour.
      return last < 2 && steps > 0 ? Math.min(3.4, last + steps * 0.45) : last + 0.05 * Math.sin(steps);
    case "temperature_c":
      return last > 60 && steps > 0 ? 15 : last + 0.3 * Math.sin(steps);
    case "filling_level":
      return Math.max(0.02, last - steps * 0.01);
    default:
      return last;
  }
}

function fieldText(value: number | string): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

function tags(d: Device): string {
  const contract = `${CONTRACTS[d.domain]}@${CONTRACT_VERSION}`;
  return `commune=${d.commune},contract=${contract},device_id=${d.id},operator=${d.operator},owner=ccphva`;
}

function rawLines(now: number): string[] {
  const lines: string[] = [];
  for (const [i, d] of DEVICES.entries()) {
    const period = PERIOD[d.domain];
    for (let step = 0; step * period < 6 * HOUR - period; step++) {
      const time = now - step * period - i * 7_000;
      if (now - time < (d.silentMs ?? 0)) continue;
      const fields = Object.keys(d.last)
        .map((f) => `${f}=${fieldText(earlier(d, f, step))}`)
        .join(",");
      lines.push(`${d.domain},${tags(d)} ${fields} ${time}`);
    }
  }
  return lines;
}

/** The platform's own health every 10 s, counters cumulative since the process start (restart 4 h ago). */
function platformLines(now: number): string[] {
  const lines: string[] = [];
  const restart = now - 4 * HOUR;
  for (let time = now - 6 * HOUR; time <= now; time += 10_000) {
    const up = (time - (time >= restart ? restart : now - 7 * HOUR)) / 1000;
    const spooling = time > now - 2 * HOUR && time < now - 90 * MINUTE;
    const fields = [
      `readings_accepted=${Math.round(up * 40)}`,
      `readings_quarantined=${Math.round(up * 0.4)}`,
      `write_pending=${spooling ? 12_000 : Math.round(20 + 10 * Math.sin(time / MINUTE))}`,
      `spool_depth=${spooling ? 6 : 0}`,
      `spool_age_s=${spooling ? Math.round((time - (now - 2 * HOUR)) / 1000) : 0}`,
      `mqtt_connections=3`,
    ];
    lines.push(`lanterne_platform,instance=lanterne-1 ${fields.join(",")} ${time}`);
  }
  return lines;
}

function rollupFields(mean: number, spread: number, count: number, sum?: number): string {
  const consumption = sum === undefined ? "" : `,sum=${sum}`;
  return `mean=${mean},min=${mean - spread},max=${mean + spread},count=${count}${consumption}`;
}

/** Hourly rollups of the last 48 hours and daily rollups of the last 30 days, per device and per commune. */
function rollupLines(now: number): { hourly: string[]; daily: string[] } {
  const hourly: string[] = [];
  const daily: string[] = [];
  const tiers = [
    { size: HOUR, buckets: 48, out: hourly, suffix: "1h" },
    { size: DAY, buckets: 30, out: daily, suffix: "1d" },
  ];
  for (const { size, buckets, out, suffix } of tiers) {
    const current = Math.floor(now / size) * size;
    for (let b = 0; b < buckets; b++) {
      const time = current - b * size;
      const communes = new Map<string, { mean: number; count: number; sum?: number }>();
      for (const d of DEVICES) {
        for (const field of numericFields(d.domain)) {
          const last = Number(d.last[field] ?? 0);
          const count = Math.max(1, Math.round(size / PERIOD[d.domain]));
          // A cumulative counter: its max grows bucket after bucket (50 W for 12 h a day).
          const counter = COUNTERS[d.domain]?.includes(field) ?? false;
          const value = counter ? last - (b * size * 0.6) / DAY - 0.3 : last;
          const spread = counter ? 0.3 : Math.abs(value) * 0.05;
          const used = counter ? (size * 0.6) / DAY : undefined;
          out.push(
            `${d.domain}_${suffix},${tags(d)},field=${field} ${rollupFields(value, spread, count, used)} ${time}`,
          );
          const key = `${d.commune}|${d.domain}|${field}`;
          const group = communes.get(key) ?? { mean: 0, count: 0 };
          communes.set(key, {
            mean: group.mean + value * count,
            count: group.count + count,
            ...(used === undefined ? {} : { sum: (group.sum ?? 0) + used }),
          });
        }
      }
      for (const [key, g] of communes) {
        const [commune, domain, field] = key.split("|");
        const mean = g.mean / g.count;
        out.push(
          `rollup_commune_${suffix},commune=${commune},domain=${domain},field=${field} ${rollupFields(mean, Math.abs(mean) * 0.1, g.count, g.sum)} ${time}`,
        );
      }
    }
  }
  return { hourly, daily };
}

// -------------------------------------------------------------------------------------------------
// Meter readings of one day, for the energy panels (their own database)

const ENERGY_DB = "lanterne_energy";

function meterReading(deviceId: string, commune: string, time: number, energy_kwh: number): Observation {
  return {
    deviceId,
    time,
    domain: "streetlight",
    commune,
    ownerId: "ccphva",
    operatorId: "lumiere-est",
    contract: `${CONTRACTS.streetlight}@${CONTRACT_VERSION}`,
    values: { energy_kwh, active_power_w: 50 },
  };
}

/**
 * Three meters over `day`: one read the evening before (its first increase counts), one replaced
 * during the day (the new meter counts from zero), one read twice. 4.5 + 2 kWh in 57038, 2 in 54580.
 */
function meterReadings(day: number): Observation[] {
  return [
    meterReading("lum-57038-0001", "57038", day - 10 * MINUTE, 100),
    meterReading("lum-57038-0001", "57038", day + 6 * HOUR, 103),
    meterReading("lum-57038-0001", "57038", day + 18 * HOUR, 104.5),
    meterReading("lum-57038-0002", "57038", day + HOUR, 950),
    meterReading("lum-57038-0002", "57038", day + 2 * HOUR, 0.5),
    meterReading("lum-57038-0002", "57038", day + 3 * HOUR, 2),
    meterReading("lum-54580-0001", "54580", day + HOUR, 7),
    meterReading("lum-54580-0001", "54580", day + 23 * HOUR, 9),
  ];
}

// -------------------------------------------------------------------------------------------------
// Against a real InfluxDB

const influx = await startInfluxd();

interface InfluxAnswer {
  results?: {
    error?: string;
    series?: { name: string; tags?: Record<string, string>; values?: unknown[][] }[];
  }[];
  error?: string;
}

async function influxql(q: string, db = DB): Promise<InfluxAnswer> {
  const response = await fetch(`${influx?.url}/query?db=${db}&epoch=ms`, {
    method: "POST",
    body: new URLSearchParams({ q }),
  });
  const answer = (await response.json()) as InfluxAnswer;
  if (response.status !== 200 || answer.error)
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

async function write(lines: readonly string[], rp: RetentionPolicy): Promise<void> {
  for (let i = 0; i < lines.length; i += 5_000) {
    const response = await fetch(`${influx?.url}/write?db=${DB}&rp=${rp}&precision=ms`, {
      method: "POST",
      body: lines.slice(i, i + 5_000).join("\n"),
    });
    expect(response.status, await response.text()).toBe(204);
  }
}

function hasCommand(name: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return dir !== "";
    } catch {
      return false;
    }
  });
}

const HAS_CURL = hasCommand("curl");
if (influx && !HAS_CURL)
  console.warn("infra/influxdb/setup-1x.sh test SKIPPED: curl not found (apt-get install curl)");

describe.skipIf(influx === undefined)("dashboards on InfluxDB 1.x", () => {
  beforeAll(async () => {
    await influxql(`CREATE DATABASE "${DB}"`);
    // The policies setup-1x.sh and Lanterne create; raw is the default.
    await influxql(`CREATE RETENTION POLICY "raw" ON "${DB}" DURATION 731d REPLICATION 1 DEFAULT`);
    await influxql(
      `CREATE RETENTION POLICY "hourly" ON "${DB}" DURATION 3653d REPLICATION 1 SHARD DURATION 4w`,
    );
    await influxql(
      `CREATE RETENTION POLICY "daily" ON "${DB}" DURATION 10958d REPLICATION 1 SHARD DURATION 52w`,
    );
    const now = Date.now();
    const rollups = rollupLines(now);
    await write([...rawLines(now), ...platformLines(now)], "raw");
    await write(rollups.hourly, "hourly");
    await write(rollups.daily, "daily");
  });

  afterAll(async () => {
    await influx?.stop();
  });

  it("holds every measurement and field of the schema", async () => {
    for (const [measurement, schema] of Object.entries(SCHEMA)) {
      const answer = await influxql(`SHOW FIELD KEYS FROM "${schema.rp}"."${measurement}"`);
      const keys = (answer.results?.[0]?.series?.[0]?.values ?? []).map((row) => row[0]);
      expect(keys.sort(), measurement).toEqual(Object.keys(schema.fields).sort());
    }
  });

  for (const q of QUERIES) {
    it(`${q.dashboard} ${q.where} returns rows`, async () => {
      const answer = await influxql(q.influxql);
      const result = answer.results?.[0];
      expect(result?.error, q.influxql).toBeUndefined();
      const rows = (result?.series ?? []).reduce((n, s) => n + (s.values?.length ?? 0), 0);
      expect(rows, `no rows for:\n${q.influxql}`).toBeGreaterThan(0);
    });
  }

  it("energy panels answer the consumption in the rollups Lanterne computes from meter readings", async () => {
    const day = Math.floor(Date.now() / DAY) * DAY - DAY;
    const store = createInfluxStore({ url: influx?.url ?? "", database: ENERGY_DB });
    await store.start();
    try {
      await store.write(meterReadings(day));
      const rows = await store.summarize({
        tier: "1d",
        deviceIds: ["lum-57038-0001", "lum-57038-0002", "lum-54580-0001"],
        from: day,
        to: day + DAY,
        counters: ["energy_kwh"],
      });
      await store.writeDeviceRollups(rows);
    } finally {
      await store.close();
    }
    for (const q of COUNTER_QUERIES) {
      const answer = await influxql(q.influxql, ENERGY_DB);
      const series = answer.results?.[0]?.series ?? [];
      const perCommune = Object.fromEntries(series.map((s) => [s.tags?.commune, s.values]));
      // kWh used that day (4.5 + 2 and 2), not the meters' positions (around 100 to 1000).
      expect(perCommune, `${q.dashboard} ${q.where}`).toEqual({ "57038": [[day, 6.5]], "54580": [[day, 2]] });
    }
  });

  it.skipIf(!hasCommand("curl"))(
    "infra/influxdb/setup-1x.sh creates the database and its policies",
    async () => {
      const env = { ...process.env, INFLUXDB_URL: influx?.url, INFLUXDB_DB: "lanterne_setup" };
      await promisify(execFile)("bash", [SETUP_SCRIPT], { env });
      // A second run alters what exists instead of failing.
      await promisify(execFile)("bash", [SETUP_SCRIPT], { env: { ...env, RP_RAW: "800d" } });
      const answer = await influxql(`SHOW RETENTION POLICIES ON "lanterne_setup"`, "lanterne_setup");
      const rows = answer.results?.[0]?.series?.[0]?.values ?? [];
      const policies = Object.fromEntries(rows.map((r) => [r[0], { duration: r[1], isDefault: r[4] }]));
      expect(policies.raw).toEqual({ duration: "19200h0m0s", isDefault: true });
      expect(policies.hourly).toEqual({ duration: "87672h0m0s", isDefault: false });
      expect(policies.daily).toEqual({ duration: "262992h0m0s", isDefault: false });
    },
  );
});
