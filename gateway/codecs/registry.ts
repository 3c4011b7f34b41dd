import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigInvalidError } from "../../services/domain/errors.ts";
import type { SandboxCodec } from "./sandbox.ts";

/**
 * Device codecs by id. Two origins, one namespace:
 * - built-in codecs, one JavaScript file per vendor family in `vendors/` (TTN Device Repository
 *   form), each model being that file plus ChirpStack device-profile variables (`model`);
 * - a collectivity's own codecs, one file per codec in a folder (`<territory>/codecs/*.js`),
 *   id = file name without `.js`, so that a new domain needs a file, not a code change.
 * A duplicate id is a configuration error (thrown at start), never "the last one wins": two
 * codecs answering to one name would silently change how a device's bytes are read.
 */
export interface Codec extends SandboxCodec {
  /** Where it came from, for error messages: "builtin:milesight.js" or a file path. */
  origin: string;
}

export interface CodecRegistry {
  get(id: string): Codec | undefined;
  ids(): string[];
  /** Throws ConfigInvalidError when the id is taken. */
  add(codec: Codec): void;
}

const VENDORS_DIR = fileURLToPath(new URL("./vendors/", import.meta.url));

/** Built-in models: a vendor family file and the variables that select the model in it. */
export const BUILTIN_CODECS: ReadonlyArray<{ id: string; file: string; variables: Record<string, string> }> =
  [
    { id: "milesight-em310-udl", file: "milesight.js", variables: { model: "em310-udl" } },
    { id: "milesight-em500-pp", file: "milesight.js", variables: { model: "em500-pp" } },
    { id: "milesight-ws558", file: "milesight.js", variables: { model: "ws558" } },
  ];

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function createCodecRegistry(codecs: Iterable<Codec> = []): CodecRegistry {
  const byId = new Map<string, Codec>();
  const registry: CodecRegistry = {
    get: (id) => byId.get(id),
    ids: () => [...byId.keys()].sort(),
    add(codec) {
      const taken = byId.get(codec.id);
      if (taken) {
        throw new ConfigInvalidError(
          `codec id "${codec.id}" is defined twice: ${taken.origin} and ${codec.origin}`,
        );
      }
      byId.set(codec.id, codec);
    },
  };
  for (const codec of codecs) registry.add(codec);
  return registry;
}

export async function loadBuiltinCodecs(): Promise<Codec[]> {
  const sources = new Map<string, string>();
  const codecs: Codec[] = [];
  for (const spec of BUILTIN_CODECS) {
    let source = sources.get(spec.file);
    if (source === undefined) {
      source = await readFile(join(VENDORS_DIR, spec.file), "utf8");
      sources.set(spec.file, source);
    }
    codecs.push({ id: spec.id, source, variables: spec.variables, origin: `builtin:${spec.file}` });
  }
  return codecs;
}

/** Every `*.js` file of `dir` as a codec; other files are ignored. Ids must be kebab-case names. */
export async function loadCodecDir(dir: string): Promise<Codec[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".js")).sort();
  const problems: string[] = [];
  const codecs: Codec[] = [];
  for (const name of names) {
    const id = basename(name, ".js");
    if (!ID.test(id)) {
      problems.push(`${join(dir, name)}: codec id "${id}" must match ${ID}`);
      continue;
    }
    const path = join(dir, name);
    codecs.push({ id, source: await readFile(path, "utf8"), origin: path });
  }
  if (problems.length > 0) throw new ConfigInvalidError(problems.join("\n"));
  return codecs;
}

/** Built-in codecs plus, when given, a collectivity's folder; any clash of ids is refused. */
export async function createDefaultCodecRegistry(territoryCodecDir?: string): Promise<CodecRegistry> {
  const registry = createCodecRegistry(await loadBuiltinCodecs());
  if (territoryCodecDir !== undefined) {
    for (const codec of await loadCodecDir(territoryCodecDir)) registry.add(codec);
  }
  return registry;
}
