import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Debian's Mosquitto, on PATH or in /usr/sbin (where Debian puts daemons). */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin"];
  for (const d of dirs) {
    if (d === "") continue;
    try {
      accessSync(join(d, "mosquitto"), constants.X_OK);
      return join(d, "mosquitto");
    } catch {
      // Not here.
    }
  }
  return undefined;
}
