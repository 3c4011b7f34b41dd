import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { NotAcceptableError } from "../../domain/errors.ts";

/** What a route answers when its schema does not say (`schema.produces`, also in the OpenAPI document). */
export const DEFAULT_PRODUCES: readonly string[] = ["application/json"];

/**
 * Content negotiation in one place: a request whose Accept header admits none of the media types
 * its route produces gets `406 ERR_NOT_ACCEPTABLE` naming them, rather than JSON it did not ask
 * for (`Accept: text/csv` used to get JSON and a client would parse it as CSV). A route declares
 * what it produces in `schema.produces` (JSON when absent), which is also what the OpenAPI
 * document says. No Accept header, or one with a wildcard range that covers a produced type (all
 * types, `application/*`), is served as before: curl, browsers and Prometheus' scrapes.
 */
export const acceptPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRequest", async (request) => {
      const header = request.headers.accept;
      if (header === undefined) return;
      const produces = request.routeOptions.schema?.produces ?? DEFAULT_PRODUCES;
      if (!acceptable(header, produces)) {
        throw new NotAcceptableError(JSON.stringify(header.slice(0, 200)), produces.join(", "));
      }
    });
  },
  { name: "lanterne-accept" },
);

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/**
 * Whether the Accept header admits one of the types (RFC 9110 §12.5.1): for each type, the most
 * specific range that matches it gives its quality, and a quality of 0 refuses it. A header with
 * no range that can be read is treated as absent, as the RFC allows, rather than refusing a
 * client for a typo. Parameters other than `q` (`version=0.0.4`) do not narrow the match.
 */
export function acceptable(header: string, produces: readonly string[]): boolean {
  const ranges = parseAccept(header);
  if (ranges.length === 0) return true;
  return produces.some((type) => quality(ranges, type) > 0);
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [media = "", ...params] = part.split(";");
    const m = /^\s*([\w.+*!#$&^`|~-]+)\/([\w.+*!#$&^`|~-]+)\s*$/.exec(media);
    if (!m) continue;
    const type = (m[1] as string).toLowerCase();
    const subtype = (m[2] as string).toLowerCase();
    if (type === "*" && subtype !== "*") continue;
    ranges.push({ type, subtype, q: qualityParam(params) });
  }
  return ranges;
}

/** `q=0.5`; a missing or unreadable q is 1 (the RFC's default). */
function qualityParam(params: readonly string[]): number {
  for (const p of params) {
    const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
    if (m) {
      const q = Number(m[1]);
      return Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 1;
    }
  }
  return 1;
}

function quality(ranges: readonly MediaRange[], produced: string): number {
  const [type = "", subtype = ""] = produced.toLowerCase().split("/");
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === "*" ? 1 : 0;
    const matches = specificity > 0 || (r.type === "*" && r.subtype === "*");
    if (!matches || specificity < best) continue;
    // Ranges equally specific (`text/plain;version=1.0.0;q=0.3, text/plain;q=0.2`): the best counts.
    q = specificity > best ? r.q : Math.max(q, r.q);
    best = specificity;
  }
  return q;
}

/**
 * The format of an answer a route offers in several (`formats`: name to media type, in order of
 * preference): an explicit `format` parameter wins, but must be one the Accept header admits
 * (406 otherwise); else the first the Accept header admits; the first of all without one.
 */
export function chooseFormat<F extends string>(
  accept: string | undefined,
  format: F | undefined,
  formats: Readonly<Record<F, string>>,
): F {
  const names = Object.keys(formats) as F[];
  if (format !== undefined) {
    if (accept !== undefined && !acceptable(accept, [formats[format]]))
      throw new NotAcceptableError(JSON.stringify(accept.slice(0, 200)), formats[format]);
    return format;
  }
  const first = names[0] as F;
  if (accept === undefined) return first;
  return names.find((f) => acceptable(accept, [formats[f]])) ?? first;
}
