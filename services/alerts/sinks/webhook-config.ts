import { readFile } from "node:fs/promises";
import { type Static, Type } from "@sinclair/typebox";
import { parse as parseYaml } from "yaml";
import { type SchemaProblem, schemaProblems } from "../../inventory/schema-errors.ts";
import type { AlertEvent, Severity } from "../types.ts";
import { WebhookConfigError } from "./errors.ts";

/**
 * The webhooks file (`webhooks.yaml`): where alert transitions are posted, so that a
 * collectivity's maintenance system opens and closes its work orders by itself.
 *
 *   webhooks:
 *     - name: gmao-voirie                       # also names the cursor file: webhooks/gmao-voirie.cursor
 *       url: https://gmao.example.fr/hooks/lanterne
 *       secret_env: LANTERNE_WEBHOOK_GMAO_SECRET   # or `secret: ...` in a file only the service reads
 *       events:                                 # optional; each list absent means "all"
 *         kinds: [raised, cleared, reopened, closed]
 *         domains: [streetlight]
 *         severities: [major, critical]
 *
 * The file is checked once, at start, and every problem is listed at once; a secret is never
 * repeated in a message nor logged.
 */

const EVENT_KINDS = [
  "raised",
  "acknowledged",
  "cleared",
  "reopened",
  "closed",
  "assigned",
  "commented",
] as const satisfies readonly AlertEvent[];
const SEVERITIES = ["info", "minor", "major", "critical"] as const satisfies readonly Severity[];

const NAME = "^[a-z0-9][a-z0-9_-]{0,62}$";
const MIN_SECRET = 16;

const WebhookDocSchema = Type.Object(
  {
    name: Type.String({
      pattern: NAME,
      description:
        "a name of lowercase letters, digits, - and _ (at most 63), unique in the file: it names the webhook's cursor",
    }),
    url: Type.String({ minLength: 1, description: "the receiver's http:// or https:// URL" }),
    secret: Type.Optional(
      Type.String({
        minLength: MIN_SECRET,
        description: `a shared secret of at least ${MIN_SECRET} characters`,
      }),
    ),
    secret_env: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
        description: "the name of the environment variable that holds the shared secret",
      }),
    ),
    events: Type.Optional(
      Type.Object(
        {
          kinds: Type.Optional(Type.Array(Type.Union(EVENT_KINDS.map((k) => Type.Literal(k))))),
          domains: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
          severities: Type.Optional(Type.Array(Type.Union(SEVERITIES.map((s) => Type.Literal(s))))),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const WebhooksFileSchema = Type.Object(
  { webhooks: Type.Array(WebhookDocSchema) },
  { additionalProperties: false },
);
type WebhooksFileDoc = Static<typeof WebhooksFileSchema>;
type WebhookDoc = Static<typeof WebhookDocSchema>;

/** Which changes a webhook receives: a list left out lets everything through. */
export interface WebhookFilter {
  kinds?: readonly AlertEvent[];
  domains?: readonly string[];
  severities?: readonly Severity[];
}

export interface Webhook {
  name: string;
  url: string;
  /** Never logged, never in a stat or an error message. */
  secret: string;
  events?: WebhookFilter;
}

/**
 * The webhooks of a file, or none when the file does not exist and is not `required` (the
 * default file in the data folder is optional; one named by LANTERNE_WEBHOOKS_FILE is not).
 * `env` is where `secret_env` is looked up: this module is a configuration file of its own.
 */
export async function loadWebhooksFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { required?: boolean } = {},
): Promise<Webhook[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && options.required !== true) return [];
    throw new WebhookConfigError(path, `  - ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new WebhookConfigError(path, `  - ${(err as Error).message.split("\n")[0]}`);
  }
  return parseWebhooks(doc, env, path);
}

/** The webhooks of a parsed document; throws ERR_WEBHOOK_CONFIG listing every problem. */
export function parseWebhooks(doc: unknown, env: NodeJS.ProcessEnv, source = "webhooks"): Webhook[] {
  const problems = webhookProblems(doc, env);
  if (problems.length > 0) {
    throw new WebhookConfigError(source, problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"));
  }
  return (doc as WebhooksFileDoc).webhooks.map((w) => webhookOf(w, env));
}

/** Every problem of a document: the schema's first, the rules across keys once the shapes hold. */
export function webhookProblems(doc: unknown, env: NodeJS.ProcessEnv): SchemaProblem[] {
  const problems = schemaProblems(WebhooksFileSchema, doc, {
    hints: { events: "kinds, domains and severities go under events" },
  });
  if (problems.length > 0) return problems;
  const webhooks = (doc as WebhooksFileDoc).webhooks;
  const seen = new Set<string>();
  return webhooks.flatMap((w, i) => {
    const at = `/webhooks/${i}`;
    const found: SchemaProblem[] = [];
    if (seen.has(w.name)) found.push({ path: `${at}/name`, message: `"${w.name}" is named twice` });
    seen.add(w.name);
    const urlProblem = checkUrl(w.url);
    if (urlProblem !== undefined) found.push({ path: `${at}/url`, message: urlProblem });
    found.push(...secretProblems(w, at, env));
    return found;
  });
}

function checkUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.username !== "" || url.password !== "") {
    return "must not hold credentials: the signature authenticates Lanterne";
  }
  return undefined;
}

function secretProblems(w: WebhookDoc, at: string, env: NodeJS.ProcessEnv): SchemaProblem[] {
  if ((w.secret === undefined) === (w.secret_env === undefined)) {
    return [{ path: at, message: "must have exactly one of secret and secret_env" }];
  }
  if (w.secret_env === undefined) return [];
  const value = env[w.secret_env];
  if (value === undefined || value === "") {
    return [{ path: `${at}/secret_env`, message: `the environment variable ${w.secret_env} is not set` }];
  }
  if (value.length < MIN_SECRET) {
    return [
      {
        path: `${at}/secret_env`,
        message: `the environment variable ${w.secret_env} must hold at least ${MIN_SECRET} characters`,
      },
    ];
  }
  return [];
}

function webhookOf(w: WebhookDoc, env: NodeJS.ProcessEnv): Webhook {
  // Checked just before: exactly one of the two is there, and the variable is set.
  const secret = w.secret ?? env[w.secret_env ?? ""] ?? "";
  return { name: w.name, url: w.url, secret, ...(w.events !== undefined ? { events: w.events } : {}) };
}

/** Whether a change of this alert passes the webhook's filter. */
export function accepts(
  filter: WebhookFilter | undefined,
  event: AlertEvent,
  alert: { domain: string; severity: Severity },
): boolean {
  if (filter === undefined) return true;
  if (filter.kinds !== undefined && !filter.kinds.includes(event)) return false;
  if (filter.domains !== undefined && !filter.domains.includes(alert.domain)) return false;
  return filter.severities === undefined || filter.severities.includes(alert.severity);
}
