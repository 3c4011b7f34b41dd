import type { AccessPolicy } from "../access/policy.ts";
import type { Role as AnyRole } from "../auth/principals.ts";
import type { Contract, FieldSpec } from "../contracts/model.ts";
import { guardFormula, quoteField } from "../opendata/formats/csv.ts";

/**
 * The record of processing activities (GDPR art. 30) for the personal data the contracts mark,
 * built from the contracts every time it is asked, never typed by hand: a field marked
 * `classification: personal` is one line per contract and set of versions that treat it alike.
 * It names fields, purposes and durations only, never a value: it holds no personal data itself.
 */

/** What the register states when a contract names no legal basis (`personalDataLegalBasis`). */
export const DEFAULT_LEGAL_BASIS = "mission d'intérêt public (RGPD art. 6(1)(e))";
export const NO_TRANSFER = "aucun";

const DAY = 86_400_000;

export interface RegisterRetention {
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
}

/** One personal field of one contract, over the versions that process it the same way. */
export interface RegisterEntry {
  contractId: string;
  contractName: string;
  domain: string;
  /** The contract versions this line applies in, oldest first. */
  versions: string[];
  field: string;
  description: string | null;
  unit: string | null;
  /** The stated purpose; null: none stated, so the field is refused at ingestion (never stored). */
  purpose: string | null;
  collected: boolean;
  legalBasis: string;
  /** True when the contract names none and DEFAULT_LEGAL_BASIS is stated. */
  legalBasisIsDefault: boolean;
  retention: RegisterRetention;
  /** Roles that may read the field's values (the access policy's hiddenFields rule). */
  recipients: Role[];
  /** Personal fields are never published nor counted in published aggregates. */
  openData: false;
  hostingLocation: string;
  /** True when the contract names it; false: the platform's (LANTERNE_HOSTING_LOCATION). */
  hostingFromContract: boolean;
  transfersOutsideEu: string;
}

export interface ProcessingRegister {
  controller: { id: string; name: string; siren?: string };
  generatedAt: number;
  defaultLegalBasis: string;
  entries: RegisterEntry[];
}

export interface ProcessingRegisterDeps {
  /** The platform's hosting location (LANTERNE_HOSTING_LOCATION). */
  hostingLocation: string;
  /** Who may read which field: the same rule every read route applies. */
  policy: Pick<AccessPolicy, "hiddenFields">;
  owner: { id: string; name: string; siren?: string };
  now: () => number;
}

/** The roles that read personal fields through the platform's routes; partners never do. */
type Role = Exclude<AnyRole, "partner">;
const ROLES: readonly Role[] = ["admin", "technician", "operator"];

export function processingRegister(
  contracts: readonly Contract[],
  deps: ProcessingRegisterDeps,
): ProcessingRegister {
  const entries = new Map<string, RegisterEntry>();
  const ordered = [...contracts].sort((a, b) => a.id.localeCompare(b.id) || a.validFrom - b.validFrom);
  for (const contract of ordered) {
    for (const field of contract.fields.values()) {
      if (!field.personal) continue;
      const entry = entryOf(contract, field, deps);
      const key = JSON.stringify({ ...entry, versions: [] });
      const same = entries.get(key);
      if (same) same.versions.push(contract.version);
      else entries.set(key, entry);
    }
  }
  return {
    controller: deps.owner,
    generatedAt: deps.now(),
    defaultLegalBasis: DEFAULT_LEGAL_BASIS,
    entries: [...entries.values()],
  };
}

function entryOf(contract: Contract, field: FieldSpec, deps: ProcessingRegisterDeps): RegisterEntry {
  const purpose = contract.personalDataPurposes.get(field.name) ?? null;
  const stated =
    contract.personalDataLegalBasis?.fields.get(field.name) ?? contract.personalDataLegalBasis?.contract;
  const hosting = contract.hostingLocation ?? deps.hostingLocation;
  return {
    contractId: contract.id,
    contractName: contract.name,
    domain: contract.domain,
    versions: [contract.version],
    field: field.name,
    description: field.description ?? null,
    unit: field.unit ?? null,
    purpose,
    collected: purpose !== null,
    legalBasis: stated ?? DEFAULT_LEGAL_BASIS,
    legalBasisIsDefault: stated === undefined,
    retention: {
      rawDays: contract.retention.rawMs / DAY,
      hourlyDays: contract.retention.hourlyMs / DAY,
      dailyDays: contract.retention.dailyMs / DAY,
    },
    recipients: ROLES.filter(
      (role) => !deps.policy.hiddenFields(principalOf(role), contract.id).has(field.name),
    ),
    openData: false,
    hostingLocation: hosting,
    hostingFromContract: contract.hostingLocation !== undefined,
    transfersOutsideEu: transfersOf(hosting),
  };
}

function principalOf(role: Role) {
  return role === "operator" ? { id: "register", role, operatorId: "register" } : { id: "register", role };
}

/** EU and EEA member states (ISO 3166-1 alpha-2), and the names a hosting location may use. */
const EU_CODES = new Set(
  (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE " +
    "IS LI NO EU UE EEA EEE"
  ).split(" "),
);
const EU_NAMES =
  /\b(france|union europ[ée]enne|european union|allemagne|germany|belgique|belgium|luxembourg|pays-bas|netherlands|irlande|ireland|espagne|spain|italie|italy|su[èe]de|sweden|finlande|finland|autriche|austria|pologne|poland|portugal|danemark|denmark|norv[èe]ge|norway)\b/i;

/**
 * "aucun" when the hosting location names an EU/EEA country or the Union; otherwise a transfer
 * to check (GDPR chapter V): the register does not decide adequacy, it points at it.
 */
export function transfersOf(hostingLocation: string): string {
  const words = hostingLocation.toUpperCase().split(/[^A-Z]+/);
  const inEu = words.some((w) => EU_CODES.has(w)) || EU_NAMES.test(hostingLocation);
  return inEu
    ? NO_TRANSFER
    : `à vérifier : l'hébergement « ${hostingLocation} » n'est pas reconnu comme situé dans l'Union européenne (RGPD chapitre V)`;
}

/** The register as rows for CSV (one per entry, French column names kept snake_case). */
export function registerRows(register: ProcessingRegister): string[][] {
  const header = [
    "contrat",
    "nom_contrat",
    "domaine",
    "versions",
    "champ",
    "description",
    "unite",
    "finalite",
    "collecte",
    "base_legale",
    "base_legale_par_defaut",
    "conservation_brute_jours",
    "conservation_horaire_jours",
    "conservation_quotidienne_jours",
    "destinataires",
    "donnees_ouvertes",
    "hebergement",
    "transferts_hors_ue",
  ];
  const rows = register.entries.map((e) => [
    e.contractId,
    e.contractName,
    e.domain,
    e.versions.join(" "),
    e.field,
    e.description ?? "",
    e.unit ?? "",
    e.purpose ?? "",
    e.collected ? "oui" : "non",
    e.legalBasis,
    e.legalBasisIsDefault ? "oui" : "non",
    String(e.retention.rawDays),
    String(e.retention.hourlyDays),
    String(e.retention.dailyDays),
    e.recipients.join(" "),
    "non",
    e.hostingLocation,
    e.transfersOutsideEu,
  ]);
  return [header, ...rows];
}

/**
 * RFC 4180 with CRLF. A cell starting with = + - @ gets a leading apostrophe, so that a
 * spreadsheet never runs a contract's description as a formula.
 */
export function csvOf(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => `${r.map((c) => quoteField(guardFormula(c))).join(",")}\r\n`).join("");
}
