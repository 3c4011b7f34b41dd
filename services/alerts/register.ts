import type { Contract } from "../contracts/model.ts";
import { ruleKinds } from "./rules/kinds.ts";
import type { RegisterEntry } from "./rules/types.ts";

/**
 * The public register of the algorithms the platform runs (Loi pour une République numérique,
 * art. L312-1-3): for each rule of each contract version, its purpose, the data it uses, how it
 * decides, its role (it raises an alert; a person decides), its parameters and where its code is.
 * Built from the same rule definitions and contract rules the engine evaluates, so the register
 * cannot drift from what runs.
 */
export interface RegisteredRule {
  /** The alert's rule id: "contractId/ruleId". */
  rule: string;
  contract: string;
  contractVersion: string;
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
}

export function algorithmRegister(contracts: readonly Contract[]): RegisteredRule[] {
  return contracts.flatMap((c) =>
    c.rules.flatMap((rule) => {
      const kind = ruleKinds.get(rule.kind);
      if (!kind) return [];
      const entry: RegisteredRule = {
        rule: `${c.id}/${rule.id}`,
        contract: c.id,
        contractVersion: c.version,
        domain: c.domain,
        kind: rule.kind,
        severity: rule.severity,
        params: rule.params,
        parameters: parameterDescriptions(kind.params),
        register: kind.register,
        source: sourceOf(rule.kind),
      };
      if (rule.description !== undefined) entry.description = rule.description;
      return [entry];
    }),
  );
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
