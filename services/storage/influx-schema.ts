import type { Observation } from "../domain/types.ts";
import type { StatementResult } from "./influx-http.ts";
import { decodeStored } from "./line-protocol.ts";

/**
 * What fields each measurement holds, learnt from `SHOW FIELD KEYS` and cached. Reads need it:
 * InfluxDB 1.x returns the range start instead of each point's time when one statement holds
 * several selectors (`SELECT LAST(*)` answers time 0 on 1.6.7), so latest() asks LAST once per
 * field; and MEAN/MIN/MAX must only be asked of numeric fields.
 *
 * The cache reloads when it is older than its time to live (another process may write new
 * fields), when this process wrote a field it did not know, and on demand when a read names a
 * measurement or field it does not know. Fields are only ever added, so a stale cache can miss a
 * brand-new field for at most the time to live, never hold a wrong one.
 */

export interface FieldInfo {
  /** Name as stored in InfluxDB (percent-encoded, see line-protocol.ts). */
  key: string;
  /** Name as written by the pipeline. */
  name: string;
  /** Type cast that selects the numeric values ("float"), when the field holds numbers. */
  numeric?: "float" | "integer";
}

export interface MeasurementInfo {
  /** Measurement name as stored. */
  key: string;
  /** The domain it holds. */
  domain: string;
  fields: FieldInfo[];
}

/** Measurements by stored name. */
export type Schema = ReadonlyMap<string, MeasurementInfo>;

export class SchemaCache {
  private schema: Schema | undefined;
  private loadedAt = 0;
  private generation = 0;
  private loading: Promise<Schema> | undefined;
  /** Field names per domain this process knows are stored, to notice a write adding one. */
  private known = new Map<string, Set<string>>();

  constructor(
    private readonly load: () => Promise<StatementResult>,
    private readonly ttlMs: number,
  ) {}

  /** The schema, reloaded first when stale or when `fresh` is asked. */
  async get(fresh = false): Promise<Schema> {
    const current = this.schema;
    if (current && !fresh && Date.now() - this.loadedAt < this.ttlMs) return current;
    this.loading ??= this.reload().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Called after a write: a domain or field not seen before makes the next read reload. */
  noteWritten(observations: readonly Observation[]): void {
    for (const o of observations) {
      const names = this.known.get(o.domain);
      for (const name in o.values) {
        if (!names?.has(name)) {
          this.invalidate();
          return;
        }
      }
    }
  }

  invalidate(): void {
    this.generation += 1;
    this.schema = undefined;
  }

  private async reload(): Promise<Schema> {
    const generation = this.generation;
    const schema = parseFieldKeys(await this.load());
    // A write that finished while SHOW FIELD KEYS ran may not be in this answer: use it once,
    // but do not keep it.
    if (generation === this.generation) {
      this.schema = schema;
      this.loadedAt = Date.now();
      this.known = knownNames(schema);
    }
    return schema;
  }
}

function knownNames(schema: Schema): Map<string, Set<string>> {
  return new Map([...schema.values()].map((m) => [m.domain, new Set(m.fields.map((f) => f.name))]));
}

/**
 * Measurements the platform writes beside the readings that are no domain: reads over "every
 * domain" (latest, aggregates, summaries) never see them.
 */
export const NOT_DOMAINS: ReadonlySet<string> = new Set(["lanterne_platform"]);

/** `SHOW FIELD KEYS` lists a key once per type it has in some shard: types are merged. */
export function parseFieldKeys(series: StatementResult): Map<string, MeasurementInfo> {
  const schema = new Map<string, MeasurementInfo>();
  for (const s of series) {
    if (NOT_DOMAINS.has(s.name)) continue;
    const types = new Map<string, Set<string>>();
    for (const [key, type] of s.values as [string, string][]) {
      const seen = types.get(key) ?? new Set<string>();
      seen.add(type);
      types.set(key, seen);
    }
    const fields = [...types].map(([key, t]) => fieldInfo(key, t));
    schema.set(s.name, { key: s.name, domain: decodeStored(s.name), fields });
  }
  return schema;
}

function fieldInfo(key: string, types: Set<string>): FieldInfo {
  const numeric = types.has("float") ? "float" : types.has("integer") ? "integer" : undefined;
  return numeric ? { key, name: decodeStored(key), numeric } : { key, name: decodeStored(key) };
}
