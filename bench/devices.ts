import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The streetlights of the demo inventory the load generator writes as, and their operator. */
export const OPERATOR = "lumiere-est";
export const TOPIC = `lanterne/${OPERATOR}/readings`;

const INVENTORY = fileURLToPath(new URL("../territory/ccphva/inventory.csv", import.meta.url));

/** Ids of the `lum-*` devices assigned to the operator in the inventory CSV (open-ended assignment). */
export function streetlightIds(path = INVENTORY): string[] {
  const [header = "", ...rows] = readFileSync(path, "utf8").split(/\r?\n/);
  const cols = header.split(",");
  const id = cols.indexOf("id");
  const operator = cols.indexOf("operator");
  const to = cols.indexOf("assigned_to");
  if (id < 0 || operator < 0) throw new Error(`${path}: no id or operator column`);
  const ids = rows
    .map((line) => line.split(","))
    .filter((f) => f[id]?.startsWith("lum-") && f[operator] === OPERATOR && !f[to])
    .map((f) => f[id] as string);
  if (ids.length === 0) throw new Error(`${path}: no lum-* device of ${OPERATOR}`);
  return ids;
}

/** The devices of client `index` among `total`: every total-th id, so clients never share a device. */
export function shareOf<T>(items: readonly T[], index: number, total: number): T[] {
  return items.filter((_, i) => i % total === index);
}
