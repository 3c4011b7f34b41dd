import { readFileSync } from "node:fs";
import { COMPLIANCE_BREACH, COMPLIANCE_KIND, COMPLIANCE_SETTLE_MS } from "../clauses/compliance-watch.ts";
import type { Contract, RuleSpec } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";
import {
  EDGE_NODE_OFFLINE,
  GATEWAY_OFFLINE,
  GATEWAY_SILENT_AFTER_MS,
  INFRASTRUCTURE_DOMAIN,
  INFRASTRUCTURE_KIND,
  INFRASTRUCTURE_SEVERITY,
} from "./infrastructure.ts";
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
 * rule that version dropped, by the latest version that had it), with the rule's history; then
 * the platform's own rules (infrastructure.ts), which no contract sets.
 */
export function algorithmRegister(contracts: readonly Contract[], now: EpochMs): RegisteredRule[] {
  return [
    ...[...versionsById(contracts).values()].flatMap((versions) => contractRules(versions, now)),
    ...platformRules(),
  ];
}

/** What the register shows as the "contract" of the platform's own rules. */
export const PLATFORM_CONTRACT = "plateforme";
/** The Lanterne release that introduced them: their history starts there. */
const PLATFORM_RULES_SINCE = "2026-12-04T00:00:00.000Z";
const ROLE = { fr: "Il lève une alerte ; une personne décide.", en: "It raises an alert; a person decides." };

/**
 * The infrastructure signals: not rules of a data contract but of Lanterne itself, the same for
 * every operator. Their "contract version" is Lanterne's version, their code infrastructure.ts
 * and the engine.
 */
export function platformRules(): RegisteredRule[] {
  const version = lanterneVersion();
  const entry = (
    rule: string,
    params: Record<string, unknown>,
    parameters: Record<string, string>,
    register: RegisterEntry,
  ): RegisteredRule => ({
    rule,
    contract: PLATFORM_CONTRACT,
    contractVersion: version,
    inForce: true,
    domain: INFRASTRUCTURE_DOMAIN,
    kind: INFRASTRUCTURE_KIND,
    severity: INFRASTRUCTURE_SEVERITY,
    params,
    parameters,
    register,
    source: "services/alerts/infrastructure.ts",
    history: [
      {
        contractVersion: version,
        validFrom: PLATFORM_RULES_SINCE,
        kind: INFRASTRUCTURE_KIND,
        severity: INFRASTRUCTURE_SEVERITY,
        params,
      },
    ],
  });
  return [
    entry(
      EDGE_NODE_OFFLINE,
      {},
      {},
      {
        fr: {
          purpose:
            "Signaler par une seule alerte un concentrateur Sparkplug (armoire, poste) qui s'est arrêté, avec les équipements qu'il relaie.",
          data: "Les messages de naissance (NBIRTH, DBIRTH) et de décès (NDEATH) du concentrateur, et les équipements dont il a transmis les mesures depuis sa dernière naissance.",
          decision:
            "Alerte à la réception d'un NDEATH valide (celui de la session en cours) ; levée au NBIRTH suivant. Tant qu'elle est active, le silence d'un équipement relayé n'ouvre pas d'alerte propre : il s'ajoute à celle du concentrateur.",
          role: ROLE.fr,
        },
        en: {
          purpose:
            "Report with a single alert a Sparkplug edge node (cabinet, station) that stopped, with the devices it relays.",
          data: "The edge node's birth (NBIRTH, DBIRTH) and death (NDEATH) messages, and the devices whose readings it has relayed since its latest birth.",
          decision:
            "Fires when a valid NDEATH (the current session's) arrives; clears at the next NBIRTH. While it is active, a relayed device's silence raises no alert of its own: it joins the edge node's.",
          role: ROLE.en,
        },
      },
    ),
    entry(
      GATEWAY_OFFLINE,
      { silentAfterMs: GATEWAY_SILENT_AFTER_MS },
      {
        silentAfterMs:
          "Time without any datagram from the gateway (status, uplink or keepalive) after which it is down (ms).",
      },
      {
        fr: {
          purpose:
            "Signaler par une seule alerte une passerelle LoRaWAN de la collectivité qui ne répond plus, avec les équipements qu'elle seule recevait.",
          data: "L'heure du dernier message de la passerelle (état, trame ou maintien de connexion) et les passerelles qui ont reçu la dernière trame de chaque équipement.",
          decision:
            "Alerte quand la passerelle n'a rien envoyé depuis plus que le délai ; levée à son message suivant. Les équipements listés sont ceux dont la dernière trame n'a été reçue par aucune autre passerelle en service.",
          role: ROLE.fr,
        },
        en: {
          purpose:
            "Report with a single alert a LoRaWAN gateway of the collectivity that went dark, with the devices only it received.",
          data: "The time of the gateway's latest datagram (status, frame or keepalive) and the gateways that received each device's latest frame.",
          decision:
            "Fires when the gateway has sent nothing for longer than the timeout; clears at its next datagram. The devices listed are those whose latest frame no other working gateway received.",
          role: ROLE.en,
        },
      },
    ),
    compliance(
      entry(
        COMPLIANCE_BREACH,
        { settleMs: COMPLIANCE_SETTLE_MS },
        {
          settleMs:
            "Time after the end of a UTC day before its scorecards are judged, so late readings count (ms).",
        },
        {
          fr: {
            purpose:
              "Prévenir l'opérateur et les administrateurs quand un opérateur passe sous un objectif de son contrat de données (complétude, ponctualité, conformité).",
            data: "Le registre des livraisons (relevés reçus par équipement et par jour, avec leur délai), les envois refusés par motif, les affectations des équipements, la cadence, le délai et les objectifs du contrat, les dérogations enregistrées.",
            decision:
              "Chaque jour clos, pour chaque opérateur et contrat : alerte si une mesure est sous son objectif sans dérogation en vigueur ; une note chaque jour où elle le reste ; levée le premier jour revenu à l'objectif.",
            role: ROLE.fr,
          },
          en: {
            purpose:
              "Tell the operator and the administrators when an operator falls under a target of its data contract (completeness, timeliness, conformity).",
            data: "The delivery ledger (readings received per device and day, with their delay), refused deliveries by reason, the devices' assignments, the contract's cadence, latency and targets, the registered exemptions.",
            decision:
              "Each closed day, for each operator and contract: an alert when a measure is under its target with no exemption in force; a note each day it stays under; cleared on the first day back on target.",
            role: ROLE.en,
          },
        },
      ),
    ),
  ];
}

/** The compliance watch's entry: a platform rule of its own kind, code and severity. */
function compliance(e: RegisteredRule): RegisteredRule {
  const own = { kind: COMPLIANCE_KIND, severity: "minor" };
  return {
    ...e,
    ...own,
    domain: COMPLIANCE_KIND,
    source: "services/clauses/compliance-watch.ts",
    history: e.history.map((h) => ({ ...h, ...own })),
  };
}

let version: string | undefined;

/** Lanterne's version, from its package.json, read once. */
function lanterneVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    version = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  }
  return version;
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
