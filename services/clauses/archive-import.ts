import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Principal } from "../auth/principals.ts";
import { BadRequestError, ForbiddenError } from "../domain/errors.ts";
import type { EpochMs, RawUplink } from "../domain/types.ts";

/** The pipeline's entry point, as the API holds it. */
type Ingest = (uplink: RawUplink) => {
  accepted: number;
  quarantined: number;
  items: { status: "accepted" | "quarantined"; violations: { code: string }[] }[];
  durable: Promise<void>;
};

export interface ArchiveReport {
  operator: string;
  lines: number;
  accepted: number;
  quarantined: number;
  /** Quarantined readings by the first reason of each. */
  reasons: Record<string, number>;
}

/** Readings sent to the pipeline at once (within its batch limit): each durable before the next is read. */
const BATCH = 500;

/**
 * At a concession's renewal, the outgoing operator hands over its archive and the collectivity
 * imports it into the running platform: one reading per line ({device, time, data}, NDJSON),
 * each checked as ingestion checks it, against the contract version and the assignment valid at
 * the reading's own time. Readings of the periods the operator held the devices are stored under
 * its name (provenance kept); the others go to quarantine with their reason, nothing is lost. The
 * operator's own access may have ended: the import is the administrators'.
 */
export async function importArchive(
  deps: { ingest: Ingest; now: () => EpochMs; maxPayloadBytes: number },
  principal: Principal | undefined,
  operator: string,
  body: Readable,
): Promise<ArchiveReport> {
  if (principal?.role !== "admin") throw new ForbiddenError("archives are imported by administrators");
  if (operator === "") throw new BadRequestError("operator: whose archive it is");
  const report: ArchiveReport = { operator, lines: 0, accepted: 0, quarantined: 0, reasons: {} };
  let batch: string[] = [];
  let bytes = 0;
  const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    report.lines++;
    // A batch stays under the payload limit the pipeline applies to every message; a line over
    // it goes alone and is refused as any oversized message (ERR_PAYLOAD_TOO_LARGE), its start
    // kept in quarantine, marked truncated.
    const full = batch.length >= BATCH || bytes + line.length + 16 > deps.maxPayloadBytes - 64;
    if (full && batch.length > 0) {
      await send(deps, operator, batch, report);
      batch = [];
      bytes = 0;
    }
    batch.push(line);
    bytes += line.length + 1;
  }
  if (batch.length > 0) await send(deps, operator, batch, report);
  return report;
}

/**
 * A batch goes in as the HTTP batch format ({readings: [...]}): a line that is not JSON is kept
 * as text, so the pipeline refuses it with its reason instead of the whole batch failing here.
 */
async function send(
  deps: { ingest: Ingest; now: () => EpochMs },
  operator: string,
  lines: readonly string[],
  report: ArchiveReport,
): Promise<void> {
  const readings = lines.map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      return l;
    }
  });
  const outcome = deps.ingest({
    source: "archive",
    operatorId: operator,
    receivedAt: deps.now(),
    payload: JSON.stringify({ readings }),
  });
  await outcome.durable;
  report.accepted += outcome.accepted;
  report.quarantined += outcome.quarantined;
  for (const item of outcome.items) {
    if (item.status !== "quarantined") continue;
    const code = item.violations[0]?.code ?? "ERR_UNKNOWN";
    report.reasons[code] = (report.reasons[code] ?? 0) + 1;
  }
}
