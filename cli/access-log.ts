import { createHash } from "node:crypto";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { verifyFile } from "../services/clauses/file-access-log.ts";
import type { Config } from "../services/config.ts";

/**
 * `lanterne access-log verify [--file F]`: checks the hash chain of the access log and names the
 * first entry that does not hold (exit 1), or says how many entries hold (exit 0).
 * `lanterne access-log export FILE [--file F]`: copies the log for an auditor, once verified, with
 * its SHA-256 beside it (FILE.sha256), so that the copy handed over can itself be checked.
 */
export async function accessLogCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { file: { type: "string" } },
  });
  const [action, target] = positionals;
  const file = values.file ?? join(config.dataDir, "access-log.ndjson");
  if (action !== "verify" && action !== "export") {
    console.error(
      "usage: lanterne access-log verify [--file F] | lanterne access-log export FILE [--file F]",
    );
    return 2;
  }
  const verdict = await verifyFile(file);
  if (!verdict.ok) {
    console.error(`access log ${file}: broken at entry ${verdict.seq}: ${verdict.reason}`);
    return 1;
  }
  if (action === "verify") {
    console.log(`access log ${file}: ${verdict.entries} entries, chain intact (last hash ${verdict.last})`);
    return 0;
  }
  if (target === undefined) {
    console.error("lanterne access-log export: name the file to write");
    return 2;
  }
  await copyFile(file, target);
  const sha = createHash("sha256")
    .update(await readFile(target))
    .digest("hex");
  await writeFile(`${target}.sha256`, `${sha}  ${target}\n`);
  console.log(`access log exported: ${verdict.entries} entries to ${target} (sha256 ${sha})`);
  return 0;
}
