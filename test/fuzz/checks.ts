import { DataCode } from "../../services/domain/errors.ts";

/** Thrown when a property does not hold; the message says which and with what figures. */
export class PropertyViolation extends Error {}

export function check(condition: boolean, message: () => string): void {
  if (!condition) throw new PropertyViolation(message());
}

const CATALOGUE: ReadonlySet<string> = new Set(Object.values(DataCode));

/** True when the code is one of the catalogue's (services/domain/errors.ts). */
export function isCatalogued(code: string): boolean {
  return CATALOGUE.has(code);
}
