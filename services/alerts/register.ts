import type { Contract, RuleSpec } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";
import { ruleKinds } from "./rules/kinds.ts";
import type { RegisterEntry } from "./rules/types.ts";

/**
 * The public register of the algorithms the platform runs (Loi pour une République numérique,
 * art. L312-1-3): for each rule of each contract, its purpose, the data it uses, how it decides,
 * its role (it raises an alert; a person decides), its parameters, where its code is, and the
 * contract versions it has been part of. Built from the same rule definitions and contract rules
 * the engine evaluates, so the register cannot drift from what runs.
 */
export interface RegisteredRule {
  /** The alert's rule id: "contractId/ruleId". */
  rule: string;
  contract: string;
  /** The contract version in force now, or the latest that has this rule if it was withdrawn. */
  contractVersion: string;
  /** False when the version in force now no longer has the rule (it still runs on older readings). */
  inForce: boolean;
  domain: string;
  kind: string;
  severity: string;
  description?: string;
  /** The thresholds and durations the contract sets, as declared. */
  params: Readonly<Record<string, unknown>>;
  /** The meaning of each parameter, from the kind's own schema. */
  parameters: Record<string, string>;
  register: RegisterEntry;
  /** The kind's code in the Lanterne source tree. */
  source: string;
  /** Every contract version that has the rule, oldest first. */
  history: RuleVersion[];
}

/** The rule as one contract version sets it. */
export interface RuleVersion {
  contractVersion: string;
  /** ISO 8601: the version applies to readings from this instant. */
  validFrom: string;
  /** ISO 8601, when the version says when it ends (otherwise the next version's validFrom). */
  validTo?: string;
  kind: string;
  severity: string;
  params: Readonly<Record<string, unknown>>;
}

/**
 * One entry per rule id of each contract, described by the version in force at `now` (or, for a
 * rule that version dropped, by the latest version that had it), with the rule's history.
 */
export function algorithmRegister(contracts: readonly Contract[], now: EpochMs): RegisteredRule[] {
  return [...versionsById(contracts).values()].flatMap((versions) => contractRules(versions, now));
}

/** Each contract's versions, oldest first, in the order contracts first appear. */
function versionsById(contracts: readonly Contract[]): Map<string, Contract[]> {
  const byId = new Map<string, Contract[]>();
  for (const c of contracts) byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
  for (const list of byId.values()) list.sort((a, b) => a.validFrom - b.validFrom);
  return byId;
}

function contractRules(versions: readonly Contract[], now: EpochMs): RegisteredRule[] {
  const current = versionInForce(versions, now);
  // The version in force first, then what only older or future versions have, newest first.
  const newestFirst = [current, ...[...versions].reverse().filter((v) => v !== current)];
  const ids = [...new Set(newestFirst.flatMap((v) => v.rules.map((r) => r.id)))];
  return ids.flatMap((id) => {
    const holder = newestFirst.find((v) => v.rules.some((r) => r.id === id)) as Contract;
    const entry = describe(holder, holder.rules.find((r) => r.id === id) as RuleSpec);
    if (!entry) return [];
    entry.inForce = holder === current;
    entry.history = versions.flatMap((v) => versionOf(v, id));
    return [entry];
  });
}

/** The last version whose validity has started at `now`; the first one if none has yet. */
function versionInForce(versions: readonly Contract[], now: EpochMs): Contract {
  const started = versions.filter((v) => v.validFrom <= now);
  return (started.at(-1) ?? versions[0]) as Contract;
}

function versionOf(c: Contract, id: string): RuleVersion[] {
  const rule = c.rules.find((r) => r.id === id);
  if (!rule) return [];
  const v: RuleVersion = {
    contractVersion: c.version,
    validFrom: new Date(c.validFrom).toISOString(),
    kind: rule.kind,
    severity: rule.severity,
    params: rule.params,
  };
  if (c.validTo !== undefined) v.validTo = new Date(c.validTo).toISOString();
  return [v];
}

function describe(c: Contract, rule: RuleSpec): RegisteredRule | undefined {
  const kind = ruleKinds.get(rule.kind);
  if (!kind) return undefined;
  const entry: RegisteredRule = {
    rule: `${c.id}/${rule.id}`,
    contract: c.id,
    contractVersion: c.version,
    inForce: true,
    domain: c.domain,
    kind: rule.kind,
    severity: rule.severity,
    params: rule.params,
    parameters: parameterDescriptions(kind.params),
    register: kind.register,
    source: sourceOf(rule.kind),
    history: [],
  };
  if (rule.description !== undefined) entry.description = rule.description;
  return entry;
}

/** `{name: description}` of a kind's parameter schema (every branch of a union, for `rate`). */
function parameterDescriptions(schema: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const s = node as { properties?: Record<string, { description?: unknown }>; anyOf?: unknown[] };
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      if (typeof prop.description === "string" && out[name] === undefined) out[name] = prop.description;
    }
    for (const branch of s.anyOf ?? []) visit(branch);
  };
  visit(schema);
  return out;
}

/** The presets live together; every other kind has a file of its own name. */
function sourceOf(kind: string): string {
  const file = kind === "threshold-low" || kind === "weak-radio" ? "presets" : kind;
  return `services/alerts/rules/${file}.ts`;
}
