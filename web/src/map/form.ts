import type { MapFilters } from "./filters.ts";
import { isCondition } from "./types.ts";

/** The filters from the form's fields (domain, commune, operator, condition). */
export function readFilters(form: HTMLFormElement): MapFilters {
  const data = new FormData(form);
  const text = (name: string): string => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  const condition = text("condition");
  return {
    domain: text("domain"),
    commune: text("commune"),
    operator: text("operator"),
    condition: isCondition(condition) ? condition : "",
  };
}
