import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import helmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * The web pages (the top-level `web/` folder): the public ones and the supervision ones behind the
 * login, their HTML, their bundled scripts and their styles, served by Lanterne itself. The pages are clients of `/api/v1` like any other; nothing
 * here reads a store.
 *
 * Every response of this scope carries a strict Content-Security-Policy: scripts, styles and
 * data from this server only, no inline script or style, no framing, no plugin. The pages are
 * built so (scripts are files, values go in as text), and the policy makes a mistake fail loudly.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const WEB = join(ROOT, "web");
const BUILD_SCRIPT = join(ROOT, "scripts", "build-web.mjs");

export const WEB_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'"],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
};

/**
 * The policy for a map with this tile server (a URL template, services/config.ts): its origin
 * joins img-src, and nothing else does but `data:`. Leaflet cancels the request of a tile it no
 * longer needs (after a pan or a zoom) by pointing the image at an inline empty GIF; without
 * `data:` each cancel is a CSP violation. Images only: no other directive changes. Without a
 * tile server the policy is WEB_CSP_DIRECTIVES itself.
 */
export function webCspDirectives(tiles: string | null): typeof WEB_CSP_DIRECTIVES {
  if (tiles === null) return WEB_CSP_DIRECTIVES;
  return { ...WEB_CSP_DIRECTIVES, imgSrc: [...WEB_CSP_DIRECTIVES.imgSrc, tileOrigin(tiles), "data:"] };
}

/** The template's scheme, host and port; the placeholders are only in its path. */
function tileOrigin(template: string): string {
  return new URL(template.replaceAll(/\{[a-z]\}/g, "0")).origin;
}

export interface WebOptions {
  /** The map's tile URL template, or null (config.ts `mapSettings`). */
  tiles?: string | null;
}

/**
 * A page: its file in web/pages, its French and English paths, and whether it is for logged-in
 * people only (`auth: true`: without a session the server answers a redirection to the login
 * page, which comes back to the page after it). Adding a page is one line here, its HTML file and
 * its script (web/README.md).
 */
export interface Page {
  file: string;
  fr: string;
  en: string;
  auth: boolean;
}

export const LOGIN_PATHS = { fr: "/connexion", en: "/login" } as const;

export const PAGES: readonly Page[] = [
  { file: "algorithmes.html", fr: "/algorithmes", en: "/algorithms", auth: false },
  { file: "donnees.html", fr: "/donnees", en: "/data", auth: false },
  { file: "reutilisations.html", fr: "/donnees/reutilisations", en: "/data/reuses", auth: false },
  { file: "derogations.html", fr: "/donnees/derogations", en: "/data/exemptions", auth: false },
  { file: "jeu-de-donnees.html", fr: "/donnees/:id", en: "/data/:id", auth: false },
  { file: "en-direct.html", fr: "/en-direct", en: "/live", auth: false },
  { file: "signaler.html", fr: "/signaler", en: "/report", auth: false },
  { file: "pannes.html", fr: "/pannes", en: "/outages", auth: false },
  { file: "connexion.html", fr: LOGIN_PATHS.fr, en: LOGIN_PATHS.en, auth: false },
  { file: "alertes.html", fr: "/alertes", en: "/alerts", auth: true },
  { file: "equipements.html", fr: "/equipements", en: "/devices", auth: true },
  // A path's parameter (`:id`) is Fastify's: the page's script reads the id from its address.
  { file: "equipement.html", fr: "/equipements/:id", en: "/devices/:id", auth: true },
  { file: "carte.html", fr: "/carte", en: "/map", auth: true },
  { file: "accueil.html", fr: "/", en: "/overview", auth: true },
  { file: "eclairage.html", fr: "/eclairage", en: "/lighting", auth: true },
  { file: "eau.html", fr: "/eau", en: "/water", auth: true },
  { file: "dechets.html", fr: "/dechets", en: "/waste", auth: true },
  { file: "conformite.html", fr: "/conformite", en: "/compliance", auth: true },
  { file: "conformite-rapport.html", fr: "/conformite/rapport", en: "/compliance/report", auth: true },
  { file: "sobriete.html", fr: "/sobriete", en: "/sobriety", auth: true },
];

const PageQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 8, description: "fr (default) or en" })),
});

export async function webPlugin(app: FastifyInstance, options: WebOptions = {}): Promise<void> {
  await ensureWebBuilt();
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: webCspDirectives(options.tiles ?? null) },
    // HTTPS and its HSTS policy belong to the reverse proxy that terminates TLS.
    strictTransportSecurity: false,
  });
  await app.register(fastifyStatic, {
    root: join(WEB, "dist"),
    prefix: "/assets/js/",
    // The files keep their names across releases: "max-age=0" makes the browser ask again.
    maxAge: 0,
  });
  await app.register(fastifyStatic, {
    root: join(WEB, "styles"),
    prefix: "/assets/css/",
    decorateReply: false,
    maxAge: 0,
  });
  // Leaflet's stylesheet and images, from the installed package: the map needs no other site.
  await app.register(fastifyStatic, {
    root: join(ROOT, "node_modules", "leaflet", "dist"),
    prefix: "/assets/leaflet/",
    decorateReply: false,
    allowedPath: (path) => path === "/leaflet.css" || path.startsWith("/images/"),
    maxAge: 0,
  });
  // uPlot's stylesheet (the device page's charts), from the installed package.
  await app.register(fastifyStatic, {
    root: join(ROOT, "node_modules", "uplot", "dist"),
    prefix: "/assets/uplot/",
    decorateReply: false,
    allowedPath: (path) => path === "/uPlot.min.css",
    maxAge: 0,
  });
  for (const page of PAGES) await pageRoutes(app, page);
}

/** Each page at its French and English paths; `?lang=` overrides, the document's lang follows. */
/**
 * A page file holds only what is its own: its head lines (title, its styles and script), then,
 * after a `<!-- body -->` line, its body (its header if it has one of its own, and its main).
 * The layout (web/pages/_layout.html) adds what every page shares: the document, the common
 * head, the skip link and the footer, and the app's shell header when the page has none.
 */
const PUBLIC_HEADER_MARK = "<!-- public-header -->\n";

export async function composePage(file: string): Promise<string> {
  const read = (name: string) => readFile(join(WEB, "pages", name), "utf8");
  const [layout, shell, publicHeader, own] = await Promise.all([
    read("_layout.html"),
    read("_shell-header.html"),
    read("_public-header.html"),
    read(file),
  ]);
  const cut = own.indexOf(BODY_MARK);
  if (cut < 0)
    throw new Error(`web/pages/${file}: no ${BODY_MARK.trim()} line between its head and its body`);
  const head = own.slice(0, cut);
  const body = own.slice(cut + BODY_MARK.length);
  // A public page names the public header (site name, language switch) where it wants it.
  const ownBody = body.replace(PUBLIC_HEADER_MARK, () => publicHeader);
  const header = ownBody.slice(0, ownBody.indexOf("<main")).includes("<header") ? "" : shell;
  // Functions, not strings, as replacements: a page may hold "$" sequences that replace() reads.
  return layout.replace(HEAD_MARK, () => head).replace(BODY_MARK, () => header + ownBody);
}

const HEAD_MARK = "<!-- head -->\n";
const BODY_MARK = "<!-- body -->\n";

async function pageRoutes(app: FastifyInstance, page: Page): Promise<void> {
  const html = await composePage(page.file);
  for (const path of [page.fr, page.en]) {
    app.get<{ Querystring: Static<typeof PageQuery> }>(
      path,
      { schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const asked = request.query.lang;
        const lang = asked === "fr" || asked === "en" ? asked : path === page.en ? "en" : "fr";
        if (page.auth && !request.principal) {
          return reply.header("cache-control", "no-store").redirect(loginPath(lang, request.url), 303);
        }
        return sendPage(reply, html, lang);
      },
    );
  }
}

/** The login page in the page's language, with the page to come back to (a local path only). */
export function loginPath(lang: "fr" | "en", next: string): string {
  return `${LOGIN_PATHS[lang]}?next=${encodeURIComponent(next)}`;
}

function sendPage(reply: FastifyReply, html: string, lang: "fr" | "en"): FastifyReply {
  return reply
    .type("text/html; charset=utf-8")
    .header("cache-control", "no-cache")
    .header("content-language", lang)
    .send(html.replace('<html lang="fr">', `<html lang="${lang}">`));
}

/**
 * Builds the page scripts when `web/dist` is missing or older than its sources, so that a fresh
 * clone, or a checkout that changed `web/src`, never serves missing or stale scripts.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (!webBuildIsStale()) return;
  await promisify(execFile)(process.execPath, [BUILD_SCRIPT], { cwd: ROOT });
}

export function webBuildIsStale(): boolean {
  const dist = join(WEB, "dist");
  const pages = readdirSync(join(WEB, "src", "pages")).filter((n) => n.endsWith(".ts"));
  const outputs = pages.map((n) => join(dist, n.replace(/\.ts$/, ".js")));
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const sources = [...filesUnder(join(WEB, "src")), BUILD_SCRIPT];
  return sources.some((file) => statSync(file).mtimeMs > built);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
