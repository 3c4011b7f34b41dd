#!/usr/bin/env node
/**
 * Regenerates the static TypeScript-typed code of protos/ into protos/generated/.
 *
 *   node scripts/protos-generate.mjs
 *
 * Every .proto file under protos/ goes into ONE bundle (lanterne.js + lanterne.d.ts): static
 * modules of protobuf.js each assign whole namespaces of a shared root, so two bundles that
 * both define `lanterne.*` would overwrite each other. The bundle uses its own root name
 * ("lanterne") so that it cannot clash with another static module in the same process either.
 * The output depends only on the .proto files and the installed protobufjs-cli version (pinned
 * by package-lock.json): scripts/protos-check.mjs relies on that to detect drift.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { pbjs } = require("protobufjs-cli");

export const PROTOS_DIR = fileURLToPath(new URL("../protos/", import.meta.url));
export const GENERATED = "generated";
export const BUNDLE = "lanterne.js";

// ESM wrapper: the project is "type": "module" and runs under tsx and vitest without a build.
// --alt-comment keeps the plain `//` comments of the .proto files as JSDoc, so that operators'
// documentation reaches the editor tooltips of the generated types.
const PBJS_FLAGS = ["--target", "static-module", "--wrap", "esm", "--root", "lanterne", "--alt-comment"];

/** The .proto files under `protosDir` (the generated folder excluded), sorted for a stable output. */
export async function listProtoFiles(protosDir) {
  const entries = await readdir(protosDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".proto"))
    .map((e) => path.relative(protosDir, path.join(e.parentPath, e.name)))
    .filter((rel) => !rel.startsWith(`${GENERATED}${path.sep}`))
    .sort();
}

/** Writes the bundle (.js and .d.ts) of the .proto files of `protosDir` into `outDir`. */
export async function generate(protosDir, outDir) {
  const files = await listProtoFiles(protosDir);
  if (files.length === 0) throw new Error(`no .proto file under ${protosDir}`);
  await mkdir(outDir, { recursive: true });
  const args = [
    ...PBJS_FLAGS,
    "--path",
    protosDir,
    "--out",
    path.join(outDir, BUNDLE),
    "--dts",
    ...files.map((f) => path.join(protosDir, f)),
  ];
  await new Promise((resolve, reject) => {
    pbjs.main(args, (err) => (err ? reject(err) : resolve()));
  });
}

async function main() {
  const outDir = path.join(PROTOS_DIR, GENERATED);
  // Start from an empty folder so that the code of a deleted .proto does not linger.
  await rm(outDir, { recursive: true, force: true });
  await generate(PROTOS_DIR, outDir);
  console.log(`protos: generated ${path.relative(process.cwd(), outDir) || outDir}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`protos: generation failed: ${err.message}`);
    process.exit(1);
  });
}
