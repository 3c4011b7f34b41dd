import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { User } from "../auth/principals.ts";
import { TerritoryInvalidError } from "../domain/errors.ts";
import type { Operator, Owner } from "../domain/types.ts";
import { type IntegrationConfig, integrationOf, integrationProblems } from "./integrations.ts";
import { type SchemaProblem, schemaProblems } from "./schema-errors.ts";
import { communeByCode, communesOfEpci } from "./territory.ts";
import { type CommuneOutline, loadCommuneOutlines } from "./territory-outlines.ts";
import {
  type GatewayDoc,
  type OperatorDoc,
  type SemtechUdpDoc,
  TERRITORY_HINTS,
  type TerritoryDoc,
  TerritorySchema,
  type UserDoc,
} from "./territory-schema.ts";

/**
 * A territory folder: `territory.yaml` (owner, operators, staff users, inventory file) and
 * `contracts/` (the collectivity's data contracts). The file is checked against its schema
 * (territory-schema.ts) once, at load; every problem is listed at once, with its path.
 */
export interface TerritoryFile {
  dir: string;
  owner: Owner;
  epci?: string;
  inventoryPath: string;
  assignmentsPath?: string;
  contractsDir: string;
  /**
   * The communes' outlines by INSEE code (`outlines:`, territory-outlines.ts), when the territory
   * imports some; the map draws a hull around the devices of the others.
   */
  outlines?: ReadonlyMap<string, CommuneOutline>;
  operators: Operator[];
  users: User[];
  /** LoRaWAN network servers data come from (see integrations.ts). */
  integrations: IntegrationConfig[];
  /**
   * The collectivity's own gateways (Semtech UDP packet forwarder): `semtech_udp.gateways` and
   * the file of ABP devices with their sealed session keys (`semtech_udp.abp_devices`), opened
   * when the listener starts.
   */
  semtechUdp?: { gateways: GatewayDoc[]; abpDevicesPath?: string; dedupWindowMs?: number };
}

export async function loadTerritoryFile(dir: string): Promise<TerritoryFile> {
  const path = join(dir, "territory.yaml");
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(path, "utf8"));
  } catch (err) {
    throw new TerritoryInvalidError(path, `  - ${(err as Error).message.split("\n")[0]}`);
  }
  const problems = territoryProblems(doc);
  if (problems.length > 0) {
    throw new TerritoryInvalidError(path, problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"));
  }
  // The document has just passed its schema: its static type holds.
  const territory = readTerritory(doc as TerritoryDoc, resolve(dirname(path)));
  const outlinesFile = (doc as TerritoryDoc).outlines;
  if (outlinesFile === undefined) return territory;
  const outlines = await loadCommuneOutlines(
    join(territory.dir, outlinesFile),
    territoryCommunes(territory.epci),
  );
  return { ...territory, outlines };
}

/**
 * Which codes are the territory's communes: its EPCI's members (Etalab's list) when it names an
 * EPCI, else any current commune.
 */
function territoryCommunes(epci: string | undefined): (code: string) => boolean {
  if (epci === undefined) return (code) => communeByCode(code) !== undefined;
  const members = new Set(communesOfEpci(epci).map((c) => c.code));
  return (code) => members.has(code);
}

/**
 * Every problem of a parsed territory.yaml, each with its JSON path: the schema's first; the
 * cross-references only once the shapes are right, so that one broken list does not echo as a
 * wrong reference in every entry naming it.
 */
export function territoryProblems(doc: unknown): SchemaProblem[] {
  const problems = schemaProblems(TerritorySchema, doc, { hints: TERRITORY_HINTS });
  return problems.length > 0 ? problems : referenceProblems(doc as TerritoryDoc);
}

function referenceProblems(doc: TerritoryDoc): SchemaProblem[] {
  const operators = doc.operators ?? [];
  const integrations = doc.integrations ?? [];
  const operatorIds = new Set(operators.map((o) => o.id));
  return [
    ...twice("/operators", "id", operators, (o) => o.id),
    // Two operators with one username could not be told apart at login.
    ...twice("/operators", "username", operators, (o) => o.username ?? o.id),
    ...twice("/users", "id", doc.users ?? [], (u) => u.id),
    ...twice("/integrations", "id", integrations, (x) => x.id),
    ...integrations.flatMap((x, i) => integrationProblems(x, `/integrations/${i}`, operatorIds)),
  ];
}

/** A second use of a value that must be unique, named at its place. */
function twice<T>(
  list: string,
  key: string,
  items: readonly T[],
  read: (item: T) => string,
): SchemaProblem[] {
  const values = items.map(read);
  return values.flatMap((value, i) => {
    const first = values.indexOf(value);
    if (first === i) return [];
    return [{ path: `${list}/${i}/${key}`, message: `${value} is already at ${list}/${first}` }];
  });
}

function readTerritory(doc: TerritoryDoc, dir: string): TerritoryFile {
  return {
    dir,
    owner: {
      id: doc.owner.id,
      name: doc.owner.name,
      ...(doc.owner.siren !== undefined ? { siren: doc.owner.siren } : {}),
    },
    ...(doc.epci !== undefined ? { epci: doc.epci } : {}),
    inventoryPath: join(dir, doc.inventory),
    ...(doc.assignments !== undefined ? { assignmentsPath: join(dir, doc.assignments) } : {}),
    contractsDir: join(dir, doc.contracts ?? "contracts"),
    operators: (doc.operators ?? []).map(operatorOf),
    users: (doc.users ?? []).map(userOf),
    integrations: (doc.integrations ?? []).map(integrationOf),
    ...(doc.semtech_udp !== undefined ? { semtechUdp: semtechUdpOf(doc.semtech_udp, dir) } : {}),
  };
}

function semtechUdpOf(value: SemtechUdpDoc, dir: string): NonNullable<TerritoryFile["semtechUdp"]> {
  return {
    gateways: value.gateways,
    ...(value.abp_devices !== undefined ? { abpDevicesPath: join(dir, value.abp_devices) } : {}),
    ...(value.dedup_window_ms !== undefined ? { dedupWindowMs: value.dedup_window_ms } : {}),
  };
}

function operatorOf(o: OperatorDoc): Operator {
  return { id: o.id, name: o.name ?? o.id, username: o.username ?? o.id, secretHash: o.secret_hash };
}

function userOf(u: UserDoc): User {
  return { id: u.id, role: u.role, tokenHash: u.token_hash };
}
