import type { OverviewAnswer } from "./types.ts";

const SEVERITIES = ["critical", "major", "minor", "info"] as const;

/** Open alerts per severity, whatever the domain (pure). */
export function alertsBySeverity(open: OverviewAnswer["openAlerts"]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of open) counts.set(row.severity, (counts.get(row.severity) ?? 0) + row.count);
  const known: string[] = [...SEVERITIES];
  return new Map(
    [...counts].sort(
      ([a], [b]) => (known.indexOf(a) + 1 || known.length + 1) - (known.indexOf(b) + 1 || known.length + 1),
    ),
  );
}
