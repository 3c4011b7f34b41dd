import type { Contract, FieldSpec } from "./model.ts";
import type { ContractRegistry } from "./registry.ts";

/**
 * What changed from one version of a contract to the next, and whether it breaks an operator's
 * feed: data that passed the older version would be refused or cut by the newer one (a field
 * removed, its type changed, now required, its range narrowed, an allowed value withdrawn, a
 * shorter cadence or latency promised). Computed from the versions themselves, so the changelog
 * cannot forget a change; the collectivity's own words (customProperties `changelog`) go beside.
 */
export interface ContractChange {
  kind:
    | "field-added"
    | "field-removed"
    | "type-changed"
    | "now-required"
    | "now-optional"
    | "range-narrowed"
    | "range-widened"
    | "values-removed"
    | "values-added"
    | "personal-changed"
    | "frequency-changed"
    | "latency-changed"
    | "retention-changed"
    | "targets-changed";
  field?: string;
  /** In French, for the operators and the changelog page. */
  detail: string;
  breaking: boolean;
}

export interface ContractVersionEntry {
  id: string;
  version: string;
  key: string;
  status: Contract["status"];
  validFrom: number;
  /** Exclusive; absent for the version in force until further notice. */
  validTo?: number;
  /** The collectivity's own words for this version, when it wrote some. */
  changelog?: string;
  /** Against the version before (none for the first). */
  changes: ContractChange[];
  breaking: boolean;
}

/** Every version of a contract in order, each with what changed against the one before. */
export function contractHistory(
  registry: Pick<ContractRegistry, "versions">,
  id: string,
): ContractVersionEntry[] {
  const versions = registry.versions(id);
  return versions.map((v, i) => {
    const previous = versions[i - 1];
    const changes = previous ? diffVersions(previous, v) : [];
    const end = v.validTo ?? versions[i + 1]?.validFrom;
    return {
      id: v.id,
      version: v.version,
      key: v.key,
      status: v.status,
      validFrom: v.validFrom,
      ...(end !== undefined ? { validTo: end } : {}),
      ...(v.changelog !== undefined ? { changelog: v.changelog } : {}),
      changes,
      breaking: changes.some((c) => c.breaking),
    };
  });
}

export function diffVersions(before: Contract, after: Contract): ContractChange[] {
  const changes: ContractChange[] = [];
  for (const [name, old] of before.fields) {
    const now = after.fields.get(name);
    if (!now)
      changes.push({ kind: "field-removed", field: name, detail: `champ ${name} retiré`, breaking: true });
    else changes.push(...diffField(old, now));
  }
  for (const [name, f] of after.fields) {
    if (before.fields.has(name)) continue;
    const detail = `champ ${name} ajouté${f.required ? " (obligatoire)" : ""}`;
    changes.push({ kind: "field-added", field: name, detail, breaking: f.required });
  }
  changes.push(...diffSla(before, after));
  return changes;
}

function diffField(a: FieldSpec, b: FieldSpec): ContractChange[] {
  const out: ContractChange[] = [];
  const name = a.name;
  if (a.type !== b.type) {
    out.push({
      kind: "type-changed",
      field: name,
      detail: `${name} : type ${a.type} → ${b.type}`,
      breaking: true,
    });
  }
  if (!a.required && b.required)
    out.push({ kind: "now-required", field: name, detail: `${name} devient obligatoire`, breaking: true });
  if (a.required && !b.required)
    out.push({ kind: "now-optional", field: name, detail: `${name} devient facultatif`, breaking: false });
  const narrower = tighter(a.minimum, b.minimum, 1) || tighter(a.maximum, b.maximum, -1);
  const wider = tighter(b.minimum, a.minimum, 1) || tighter(b.maximum, a.maximum, -1);
  const range = `${name} : bornes [${a.minimum ?? "−∞"}, ${a.maximum ?? "+∞"}] → [${b.minimum ?? "−∞"}, ${b.maximum ?? "+∞"}]`;
  if (narrower) out.push({ kind: "range-narrowed", field: name, detail: range, breaking: true });
  else if (wider) out.push({ kind: "range-widened", field: name, detail: range, breaking: false });
  out.push(...diffAllowed(name, a.allowed, b.allowed));
  if (a.personal !== b.personal) {
    const detail = `${name} ${b.personal ? "devient" : "n'est plus"} une donnée personnelle`;
    out.push({ kind: "personal-changed", field: name, detail, breaking: false });
  }
  return out;
}

/** Whether bound `b` admits less than bound `a` (sign 1 for a minimum, -1 for a maximum). */
function tighter(a: number | undefined, b: number | undefined, sign: 1 | -1): boolean {
  if (b === undefined) return false;
  if (a === undefined) return true;
  return sign * (b - a) > 0;
}

function diffAllowed(
  name: string,
  a: ReadonlySet<string> | undefined,
  b: ReadonlySet<string> | undefined,
): ContractChange[] {
  if (a === undefined && b === undefined) return [];
  // No list means any value: a list appearing withdraws every other value.
  const removed = b !== undefined && (a === undefined || [...a].some((v) => !b.has(v)));
  const added = b === undefined || (a !== undefined && [...b].some((v) => !a.has(v)));
  const list = (s: ReadonlySet<string> | undefined) => (s ? [...s].join(", ") : "toute valeur");
  const detail = `${name} : valeurs permises ${list(a)} → ${list(b)}`;
  if (removed) return [{ kind: "values-removed", field: name, detail, breaking: true }];
  return added ? [{ kind: "values-added", field: name, detail, breaking: false }] : [];
}

function diffSla(a: Contract, b: Contract): ContractChange[] {
  const out: ContractChange[] = [];
  const minutes = (ms: number | undefined) => (ms === undefined ? "aucun" : `${ms / 60_000} min`);
  if (a.frequencyMs !== b.frequencyMs) {
    const shorter =
      b.frequencyMs !== undefined && (a.frequencyMs === undefined || b.frequencyMs < a.frequencyMs);
    const detail = `fréquence des relevés ${minutes(a.frequencyMs)} → ${minutes(b.frequencyMs)}`;
    out.push({ kind: "frequency-changed", detail, breaking: shorter });
  }
  if (a.latencyMs !== b.latencyMs) {
    const shorter = b.latencyMs !== undefined && (a.latencyMs === undefined || b.latencyMs < a.latencyMs);
    const detail = `délai de livraison ${minutes(a.latencyMs)} → ${minutes(b.latencyMs)}`;
    out.push({ kind: "latency-changed", detail, breaking: shorter });
  }
  if (JSON.stringify(a.retention) !== JSON.stringify(b.retention)) {
    out.push({ kind: "retention-changed", detail: "durées de conservation modifiées", breaking: false });
  }
  if (JSON.stringify(a.targets) !== JSON.stringify(b.targets)) {
    const raised = (["completeness", "timeliness", "conformity"] as const).some(
      (m) => (b.targets[m] ?? 0) > (a.targets[m] ?? 0),
    );
    out.push({ kind: "targets-changed", detail: "objectifs de conformité modifiés", breaking: raised });
  }
  return out;
}
