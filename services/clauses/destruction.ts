import type { Principal } from "../auth/principals.ts";
import { BadRequestError, ForbiddenError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { ChainedEntry } from "./access-log.ts";
import type { AccessLog } from "./file-access-log.ts";

/**
 * The destruction receipt of the clauses: at the end of a contract the outgoing operator
 * deletes its copy of the data and attests it. The receipt names the bundle by its manifest's
 * SHA-256, when and how the copy was destroyed, and who attests; it is kept in the hash-chained
 * access log (action "destroy"), where nobody can change it afterwards.
 */
export interface DestructionReceipt {
  /** The SHA-256 of the bundle's manifest.json (hex). */
  bundle: string;
  destroyedAt: EpochMs;
  /** How: "effacement sécurisé (shred)", "destruction du support"... */
  method: string;
  /** The person who attests, with their position. */
  attestedBy: string;
  statement: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function recordDestruction(
  log: Pick<AccessLog, "append">,
  principal: Principal | undefined,
  r: DestructionReceipt,
  at: EpochMs,
  from: string,
): ChainedEntry {
  if (!principal || (principal.role !== "operator" && principal.role !== "admin")) {
    throw new ForbiddenError("receipts are given by operators and administrators");
  }
  if (!SHA256.test(r.bundle))
    throw new BadRequestError("bundle: the SHA-256 of the bundle's manifest.json, in hex");
  if (r.destroyedAt > at) throw new BadRequestError("destroyedAt is in the future");
  const what =
    `bundle sha256:${r.bundle} destroyed ${new Date(r.destroyedAt).toISOString()} (${r.method}); ` +
    `attested by ${r.attestedBy}: ${r.statement}`;
  return log.append({
    at,
    who: principal.id,
    role: principal.role,
    action: "destroy",
    what: what.slice(0, 2_000),
    from,
  });
}

/** The receipts in the log, newest first: an operator reads its own, an administrator all. */
export async function destructionReceipts(
  log: Pick<AccessLog, "read" | "flush">,
  principal: Principal | undefined,
): Promise<ChainedEntry[]> {
  if (!principal || (principal.role !== "operator" && principal.role !== "admin")) {
    throw new ForbiddenError("receipts are read by operators and administrators");
  }
  await log.flush();
  const who = principal.role === "operator" ? { who: principal.id } : {};
  return log.read({ action: "destroy", limit: 1_000, ...who });
}
