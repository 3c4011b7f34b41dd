#!/usr/bin/env node
/**
 * Builds the web pages' scripts: every `web/src/pages/<name>.ts` is bundled with esbuild into
 * `web/dist/<name>.js` (one file per page, no runtime import, source map beside it).
 *
 *   node scripts/build-web.mjs
 *
 * Run by `npm ci` / `npm install` (the `prepare` script), and by the server at start when
 * `web/dist` is missing or older than the sources (services/api/plugins/web.ts), so that a fresh
 * clone never serves missing or stale scripts.
 *
 * Several servers may start at once (the test suite does): each output is written to a file of
 * its own and renamed into place, so that a page being served never reads half a file.
 *
 * Plain Node ESM on purpose: it runs before anything is compiled or loaded through tsx.
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PAGES = path.join(ROOT, "web", "src", "pages");
const DIST = path.join(ROOT, "web", "dist");

const entryPoints = readdirSync(PAGES)
  .filter((name) => name.endsWith(".ts"))
  .map((name) => path.join(PAGES, name));

const result = await build({
  entryPoints,
  outdir: DIST,
  bundle: true,
  format: "esm",
  // What the authority's workstations and the public's phones run; nothing newer is needed.
  target: ["es2020"],
  platform: "browser",
  minify: true,
  sourcemap: "linked",
  write: false,
  logLevel: "warning",
});

mkdirSync(DIST, { recursive: true });
for (const file of result.outputFiles) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
console.log(`web: ${entryPoints.length} page script(s) built into ${path.relative(ROOT, DIST)}/`);
