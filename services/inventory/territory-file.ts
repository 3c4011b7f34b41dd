import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { User } from "../auth/principals.ts";
import { ConfigInvalidError } from "../domain/errors.ts";
import type { Operator, Owner } from "../domain/types.ts";
import { type IntegrationConfig, readIntegration } from "./integrations.ts";

/**
 * A territory folder: `territory.yaml` (owner, operators, staff users, inventory file) and
 * `contracts/` (the collectivity's data contracts). Every problem is listed at once.
 */
export interface TerritoryFile {
  dir: string;
  owner: Owner;
  epci?: string;
  inventoryPath: string;
  assignmentsPath?: string;
  contractsDir: string;
  operators: Operator[];
  users: User[];
  /** LoRaWAN network servers data come from (see integrations.ts). */
  integrations: IntegrationConfig[];
  /**
   * The collectivity's own gateways (Semtech UDP packet forwarder): `semtech_udp.gateways` and
   * the file of ABP devices with their sealed session keys (`semtech_udp.abp_devices`), checked
   * when the listener starts.
   */
  semtechUdp?: { gateways: unknown; abpDevicesPath?: string; dedupWindowMs?: unknown };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

export async function loadTerritoryFile(dir: string): Promise<TerritoryFile> {
  const path = join(dir, "territory.yaml");
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(path, "utf8"));
  } catch (err) {
    throw new ConfigInvalidError(`${path}: ${(err as Error).message}`);
  }
  const errors: string[] = [];
  const result = readTerritory(isObj(doc) ? doc : {}, resolve(dirname(path)), errors);
  if (errors.length > 0) throw new ConfigInvalidError(errors.map((e) => `  - ${path}: ${e}`).join("\n"));
  return result;
}

function readTerritory(doc: Obj, dir: string, errors: string[]): TerritoryFile {
  const owner = isObj(doc.owner) ? doc.owner : {};
  if (!str(owner.id) || !str(owner.name)) errors.push("owner: required {id, name, siren?}");
  if (!str(doc.inventory)) errors.push("inventory: required path of the inventory CSV or GeoJSON");
  const operators = list(doc.operators, "operators", errors).map((o, i) => readOperator(o, i, errors));
  const users = list(doc.users, "users", errors).map((u, i) => readUser(u, i, errors));
  const operatorIds = new Set(operators.map((o) => o.id));
  const integrations = list(doc.integrations, "integrations", errors).map((o, i) =>
    readIntegration(o, i, operatorIds, errors),
  );
  const ids = integrations.map((x) => x.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i)))
    errors.push(`integrations: id ${id} appears twice`);
  return {
    dir,
    owner: {
      id: String(owner.id),
      name: String(owner.name),
      ...(str(owner.siren) ? { siren: owner.siren } : {}),
    },
    ...(str(doc.epci) ? { epci: doc.epci } : {}),
    inventoryPath: join(dir, String(doc.inventory)),
    ...(str(doc.assignments) ? { assignmentsPath: join(dir, doc.assignments) } : {}),
    contractsDir: join(dir, str(doc.contracts) ? doc.contracts : "contracts"),
    operators,
    users,
    integrations,
    ...semtechUdpOf(doc.semtech_udp, dir, errors),
  };
}

function semtechUdpOf(value: unknown, dir: string, errors: string[]): Pick<TerritoryFile, "semtechUdp"> {
  if (value === undefined) return {};
  if (!isObj(value)) {
    errors.push("semtech_udp: expected {gateways: [{eui, name}], abp_devices: file}");
    return {};
  }
  return {
    semtechUdp: {
      gateways: value.gateways,
      ...(str(value.abp_devices) ? { abpDevicesPath: join(dir, value.abp_devices) } : {}),
      ...(value.dedup_window_ms !== undefined ? { dedupWindowMs: value.dedup_window_ms } : {}),
    },
  };
}

function list(value: unknown, name: string, errors: string[]): Obj[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObj)) {
    errors.push(`${name}: expected a list of mappings`);
    return [];
  }
  return value;
}

function readOperator(o: Obj, i: number, errors: string[]): Operator {
  if (!str(o.id) || !/^[a-z0-9][a-z0-9-]*$/.test(o.id))
    errors.push(`operators[${i}].id: lowercase letters, digits, -`);
  if (!str(o.secret_hash) || !o.secret_hash.startsWith("scrypt$")) {
    errors.push(`operators[${i}].secret_hash: required scrypt hash (never a clear secret)`);
  }
  return {
    id: String(o.id),
    name: str(o.name) ? o.name : String(o.id),
    username: str(o.username) ? o.username : String(o.id),
    secretHash: String(o.secret_hash),
  };
}

function readUser(u: Obj, i: number, errors: string[]): User {
  if (!str(u.id)) errors.push(`users[${i}].id: required`);
  if (u.role !== "admin" && u.role !== "technician") errors.push(`users[${i}].role: admin or technician`);
  if (!str(u.token_hash) || !u.token_hash.startsWith("scrypt$"))
    errors.push(`users[${i}].token_hash: required scrypt hash`);
  return {
    id: String(u.id),
    role: u.role === "admin" ? "admin" : "technician",
    tokenHash: String(u.token_hash),
  };
}
