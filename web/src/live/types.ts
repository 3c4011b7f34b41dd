/**
 * The public figures of the moment as the open channel gives them (`GET /opendata/live.json`, and
 * the `figures` events of `GET /opendata/live`): per published domain and commune, the assets,
 * those reporting now and the current outages (services/api/routes/live.ts).
 */

export interface LiveCount {
  assets: number;
  reporting: number;
  outages: number;
}

export interface LiveCommune extends LiveCount {
  commune: string;
  name: string;
}

export interface LiveDomain extends LiveCount {
  domain: string;
  /** The contract's name, in French. */
  title: string;
  communes: LiveCommune[];
  /** The communes under the threshold, counted together; null when even together they are fewer. */
  other_communes: LiveCount | null;
}

export interface LiveFigures {
  at: string;
  domains: LiveDomain[];
}

export const LIVE = {
  snapshot: "/opendata/live.json",
  stream: "/opendata/live",
} as const;

const isCount = (v: unknown): v is LiveCount => {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.assets === "number" && typeof c.reporting === "number" && typeof c.outages === "number";
};

/** The figures if the value has their shape (a stream's message is checked before it is shown). */
export function asFigures(value: unknown): LiveFigures | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const f = value as Record<string, unknown>;
  if (typeof f.at !== "string" || !Array.isArray(f.domains)) return undefined;
  for (const d of f.domains as unknown[]) {
    if (!isCount(d)) return undefined;
    const domain = d as unknown as Record<string, unknown>;
    if (typeof domain.domain !== "string" || typeof domain.title !== "string") return undefined;
    if (!Array.isArray(domain.communes)) return undefined;
    for (const c of domain.communes as unknown[]) {
      if (!isCount(c)) return undefined;
      const commune = c as unknown as Record<string, unknown>;
      if (typeof commune.commune !== "string" || typeof commune.name !== "string") return undefined;
    }
    if (
      domain.other_communes !== null &&
      domain.other_communes !== undefined &&
      !isCount(domain.other_communes)
    )
      return undefined;
  }
  return value as LiveFigures;
}
