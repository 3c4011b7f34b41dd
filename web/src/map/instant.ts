/**
 * The instant shown: none (the live view) or a past one, kept in the address (`?at=`, ISO 8601)
 * so that a view can be shared, and shown in a `datetime-local` field in the browser's time zone.
 */

/** The instant the address asks for, or null for the live view. */
export function instantFromUrl(location: { search: string }): Date | null {
  const at = new URLSearchParams(location.search).get("at");
  if (at === null || at === "") return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The address with this instant (or without any), the other parameters kept. */
export function urlWithInstant(location: { pathname: string; search: string }, at: Date | null): string {
  const params = new URLSearchParams(location.search);
  if (at === null) params.delete("at");
  else params.set("at", at.toISOString());
  const query = params.toString();
  return query === "" ? location.pathname : `${location.pathname}?${query}`;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** The value of a `datetime-local` field (local time, to the second). */
export function toLocalField(date: Date): string {
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}` +
    `T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
  );
}

/** A `datetime-local` value read as local time; null when empty or not a date. */
export function fromLocalField(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
