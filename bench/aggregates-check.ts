import type { Static } from "@sinclair/typebox";
import type { AggregateSchema } from "../services/api/schemas.ts";
import type { Contract } from "../services/contracts/model.ts";
import type { GroupRollup } from "../services/storage/store.ts";
import { type Fleet, groupKey } from "./aggregates-fleet.ts";

/**
 * Is an answer of the aggregates API the one the written rollups call for? Every expected row is
 * there once, nothing else is, and each has the written count, devices, mean, min and max. Two
 * checks do not rest on the rows the bench computed with `combine()`: each row's devices equal
 * the devices generated in its commune and domain, and (staff route) the counts of a domain add
 * up to the device rollups' counts written for it.
 */
/** A row as the aggregates routes answer it (their response schema). */
export type ApiRow = Static<typeof AggregateSchema>;

export interface Expected {
  groups: readonly GroupRollup[];
  fleet: Fleet;
  /** Sum of the device rollups' counts written, per domain. */
  countsPerDomain: ReadonlyMap<string, number>;
}

const MAX_REPORTED = 5;

const rowKey = (time: number, commune: string | undefined, domain: string | undefined, field: string) =>
  `${new Date(time).toISOString()}|${commune ?? "?"}|${domain ?? "?"}|${field}`;

/** Same test as the public route's: some contract of the domain publishes the field with enough devices. */
export function publishable(contracts: readonly Contract[]) {
  return (row: { domain?: string; field: string; devices: number }) =>
    contracts.some(
      (c) =>
        c.openData.publish &&
        c.domain === row.domain &&
        c.openData.fields.includes(row.field) &&
        row.devices >= c.openData.minDevices,
    );
}

export function checkAnswer(
  route: string,
  rows: readonly ApiRow[],
  expected: Expected,
  only: (g: GroupRollup) => boolean = () => true,
): string[] {
  const problems: string[] = [];
  const want = new Map(
    expected.groups.filter(only).map((g) => [rowKey(g.time, g.commune, g.domain, g.field), g]),
  );
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = rowKey(Date.parse(r.time), r.commune, r.domain, r.field);
    const g = want.get(key);
    if (!g) problems.push(`${route}: unexpected row ${key}`);
    else if (seen.has(key)) problems.push(`${route}: row ${key} twice`);
    else problems.push(...differences(route, key, r, g));
    seen.add(key);
    const generated = expected.fleet.perGroup.get(groupKey(r.commune ?? "?", r.domain ?? "?"));
    if (r.devices !== generated)
      problems.push(`${route}: ${key} has ${r.devices} devices, ${generated ?? 0} were generated there`);
    counts.set(r.domain ?? "?", (counts.get(r.domain ?? "?") ?? 0) + r.count);
  }
  const missing = [...want.keys()].filter((k) => !seen.has(k));
  if (missing.length > 0) problems.push(`${route}: ${missing.length} rows missing, e.g. ${missing[0]}`);
  if (expected.groups.every(only)) {
    for (const [domain, written] of expected.countsPerDomain) {
      const answered = counts.get(domain) ?? 0;
      if (answered !== written)
        problems.push(`${route}: ${domain} counts add up to ${answered}, device rollups hold ${written}`);
    }
  }
  return problems.length > MAX_REPORTED
    ? [...problems.slice(0, MAX_REPORTED), `${route}: ... ${problems.length - MAX_REPORTED} more problems`]
    : problems;
}

function differences(route: string, key: string, r: ApiRow, g: GroupRollup): string[] {
  const out: string[] = [];
  if (r.count !== g.count) out.push(`${route}: ${key} count ${r.count}, written ${g.count}`);
  if (r.devices !== g.devices) out.push(`${route}: ${key} devices ${r.devices}, written ${g.devices}`);
  for (const k of ["mean", "min", "max"] as const) {
    const answered = r[k];
    if (answered === undefined || !close(answered, g[k]))
      out.push(`${route}: ${key} ${k} ${answered}, written ${g[k]}`);
  }
  return out;
}

/** Means are re-weighted by counts on the way (mean x count / count): equal up to rounding. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
