import type { Severity } from "../alerts/types.ts";
import type { EpochMs } from "../domain/types.ts";
import type { IndicatorParams } from "../opendata/indicators.ts";

/**
 * A data contract once parsed: the part of an ODCS v3.1 document Lanterne enforces,
 * plus the collectivity's extensions carried in `customProperties`.
 */
export interface Contract {
  id: string;
  version: string;
  /** "id@version", the key stored with every reading. */
  key: string;
  name: string;
  status: "proposed" | "draft" | "active" | "deprecated" | "retired";
  /** Domain name the contract governs (e.g. "streetlight"). */
  domain: string;
  owner: { id: string; name: string; siren?: string };
  /** This version applies to readings whose time is in [validFrom, validTo). */
  validFrom: EpochMs;
  validTo?: EpochMs;
  fields: ReadonlyMap<string, FieldSpec>;
  /** Expected reporting period of a device, in ms (ODCS slaProperties frequency). */
  frequencyMs?: number;
  /** Per-device reporting periods, by inventory attribute; the first matching rule wins. */
  cadence: readonly CadenceRule[];
  /** Maximum delay between reading and delivery, in ms (ODCS slaProperties latency). */
  latencyMs?: number;
  /** What the operator's scorecard must reach (ODCS slaProperties completeness, timeliness, conformity). */
  targets: ComplianceTargets;
  retention: RetentionTiers;
  licence: string;
  openData: OpenDataRules;
  hostingLocation?: string;
  /** What this version changes, in the collectivity's words (customProperties `changelog`). */
  changelog?: string;
  /** Personal fields allowed for collection, with their stated purpose. */
  personalDataPurposes: ReadonlyMap<string, string>;
  /**
   * The legal basis (GDPR art. 6) of collecting the personal fields (customProperties
   * `personalDataLegalBasis`: one text for the contract, or {field: basis}); absent: the
   * processing register states its default (services/clauses/processing-register.ts).
   */
  personalDataLegalBasis?: PersonalDataLegalBasis;
  /**
   * Partners given this contract's readings under an agreement see devices under pseudonyms only
   * (customProperties `partnerPseudonymisation: true`); absent: the agreement decides.
   */
  partnerPseudonymisation?: boolean;
  /** Alert rules (customProperties `rules`), parameters already checked against their kind. */
  rules: readonly RuleSpec[];
  sourceFile: string;
}

/** A legal basis for every personal field of the contract, or one per field (a field's wins). */
export interface PersonalDataLegalBasis {
  contract?: string;
  fields: ReadonlyMap<string, string>;
}

/**
 * An operator's compliance targets as shares of 1: readings received against the cadence's
 * promise, readings delivered within the latency, deliveries not refused. A scorecard under a
 * target is a breach (services/clauses/scorecards.ts).
 */
export interface ComplianceTargets {
  completeness?: number;
  timeliness?: number;
  conformity?: number;
}

/** One alert rule of a contract: a kind of services/alerts/rules with its checked parameters. */
export interface RuleSpec {
  /** Unique in the contract; the alert's rule id is "contractId/id". */
  id: string;
  kind: string;
  /** Valid for the kind (validateRuleParams), the rule's `field` shorthand merged in. */
  params: Readonly<Record<string, unknown>>;
  severity: Severity;
  description?: string;
  /** When many devices of one group fire together, one alert for the group (services/alerts/correlation.ts). */
  correlate?: CorrelateSpec;
}

/**
 * Correlation of a rule: a cabinet that loses power, an operator's feed that stops, a gateway that
 * goes dark make many devices fire the same rule at once; one alert for the group stands for them.
 */
export interface CorrelateSpec {
  /**
   * The groups, widest first: "operator" (the device's operator now) or an inventory attribute
   * ("cabinet", "gateway", "edge_node"). A device without the attribute is in no group of that level.
   */
  by: readonly string[];
  /** Devices of a group firing together before the group's alert stands for them (default 3). */
  minDevices: number;
  /** ...and at least this share of the group's devices (default 0.5). */
  minShare: number;
}

export type LogicalType = "number" | "integer" | "string" | "boolean";

/**
 * How a field aggregates. A gauge (pressure, fill level) as count/mean/min/max; a counter (an
 * energy meter's cumulative kWh) as the consumption over each bucket, summed over devices; a
 * state (on/off, ok/defective) by its values. Declared in the field's customProperties
 * (`measure`); by default numbers are gauges and text or flags are states.
 */
export type MeasureKind = "gauge" | "counter" | "state";

export interface FieldSpec {
  name: string;
  type: LogicalType;
  required: boolean;
  description?: string;
  unit?: string;
  minimum?: number;
  maximum?: number;
  /** Allowed values (strings), from a quality rule `invalidValues` with `validValues`. */
  allowed?: ReadonlySet<string>;
  /** Name of the Smart Data Models attribute this field maps to. */
  smartDataModel?: string;
  /** Personal data: never published, reads audited, collected only with a stated purpose. */
  personal: boolean;
  measure: MeasureKind;
}

/** How long each tier is kept, in ms. */
export interface RetentionTiers {
  rawMs: number;
  hourlyMs: number;
  dailyMs: number;
}

export interface OpenDataRules {
  publish: boolean;
  /** Fields whose aggregates may be published. */
  fields: readonly string[];
  /** Aggregates over fewer devices than this are not published (statistical secrecy). */
  minDevices: number;
  /** The open datasets the contract publishes (services/opendata). */
  datasets: readonly DatasetSpec[];
  /**
   * What the public may report about the contract's assets (a dark lamp, a full container), and
   * whether their outages and repairs are shown on the public map; none: no report is taken.
   */
  reports?: CitizenReports;
}

export interface CitizenReports {
  categories: readonly ReportCategory[];
}

export interface ReportCategory {
  /** kebab-case, unique in the contract. */
  id: string;
  /** French, as the public form shows it; English beside it. */
  title: string;
  titleEn: string;
}

export type Granularity = "hour" | "day" | "month";
/**
 * Where a figure stands: a commune, a network sector, the whole territory, or one asset (a lamp,
 * a container) where the contract publishes per asset: its data are not personal, and the public
 * sees each asset's own figure, so no threshold applies.
 */
export type SpatialLevel = "commune" | "sector" | "territory" | "asset";

/** One open dataset: an indicator of the contract's data, per bucket and place. */
export interface DatasetSpec {
  /** Unique across the territory's contracts; the public name of the dataset. */
  id: string;
  /** French title and description, as the catalogue shows them. */
  title: string;
  description: string;
  keywords: readonly string[];
  /** A kind of services/opendata/indicators.ts, its parameters checked against it. */
  indicator: string;
  params: Readonly<IndicatorParams>;
  granularity: Granularity;
  level: SpatialLevel;
  /** The inventory attribute that names a device's sector (level `sector`). */
  sectorAttribute: string;
  /** "etalab-2.0" or "odbl-1.0": the contract's licence unless the dataset names its own. */
  licence: string;
  /** Figures over fewer devices are suppressed; never below the contract's minDevices. */
  minDevices: number;
  /** Published values are rounded to a multiple of this (a simplified figure); absent: as computed. */
  round?: number;
}

/** Devices whose inventory attributes all equal `when` report every `everyMs`. */
export interface CadenceRule {
  when: Readonly<Record<string, string | number>>;
  everyMs: number;
}

/** "contractId@version" → "contractId" (an id holds no "@": parse.ts refuses one). */
export function contractIdOf(key: string): string {
  const at = key.indexOf("@");
  return at < 0 ? key : key.slice(0, at);
}
