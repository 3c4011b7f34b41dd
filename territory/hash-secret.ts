/**
 * Prints the scrypt hash of a secret or token, for `secret_hash` / `token_hash` in a
 * territory file. The secret is read from standard input (first line), not from the command
 * line, so that it stays out of shell history and process lists:
 *   npx tsx territory/hash-secret.ts < secret.txt
 */
import { text } from "node:stream/consumers";
import { hashSecret } from "../services/inventory/secrets.ts";

const secret = (await text(process.stdin)).split(/\r?\n/)[0] ?? "";
if (secret === "") {
  console.error("usage: npx tsx territory/hash-secret.ts < secret.txt (the secret on the first line)");
  process.exitCode = 1;
} else {
  console.log(await hashSecret(secret));
}
