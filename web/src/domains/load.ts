import { ApiError, getJson } from "../api.ts";
import type { Lang } from "../i18n/common.ts";
import { orLogin } from "../shell.ts";

/**
 * One read of the API for a domain page: a 401 goes to the login page (`orLogin`); a 403 (a page
 * the person's role does not open) and any other failure come back as a value, so that the page
 * says so in words rather than stopping.
 */
export type Loaded<T> = { ok: true; value: T } | { ok: false; forbidden: boolean };

export async function load<T>(lang: Lang, path: string): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await orLogin(lang, () => getJson<T>(path)) };
  } catch (err) {
    return { ok: false, forbidden: err instanceof ApiError && err.status === 403 };
  }
}

/** A form's field value by id ("" when absent). */
export function fieldValue(id: string): string {
  const node = document.getElementById(id);
  return node instanceof HTMLInputElement || node instanceof HTMLSelectElement ? node.value : "";
}

export function setFieldValue(id: string, value: string): void {
  const node = document.getElementById(id);
  if (node instanceof HTMLInputElement || node instanceof HTMLSelectElement) node.value = value;
}
