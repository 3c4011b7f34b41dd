/**
 * Writes the demo territory's ABP devices, territory/ccphva/lorawan-abp.yaml: the pressure
 * sensors of Thil (commune 54521) heard by the collectivity's own gateways, their session keys
 * (demo-secrets.ts) sealed with the demo's LANTERNE_SECRET_KEY, as `lanterne lorawan seal` does.
 *
 *   npx tsx territory/seal-demo-keys.ts
 *
 * Each run seals with fresh nonces, so the file changes while its keys stay the same.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { masterKeyFrom, sealDevice } from "../gateway/lorawan/session.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { DEMO_SECRETS, demoAbpKeys } from "./ccphva/demo-secrets.ts";

export const DEMO_ABP_COMMUNE = "54521";
const DIR = fileURLToPath(new URL("./ccphva/", import.meta.url));

async function main(): Promise<void> {
  const devices = await loadInventoryFile(`${DIR}inventory.csv`, { ownerId: "ccphva" });
  const abp = devices.filter((d) => d.domain === "water_pressure" && d.commune === DEMO_ABP_COMMUNE);
  const master = masterKeyFrom(DEMO_SECRETS["secret-key"]);
  // DevAddr in the 0x26/0x27 range of experimental NetID 0, one per device in inventory order.
  const sealed = abp.map((d, i) =>
    sealDevice({ deviceId: d.id, devAddr: (0x260b_0000 + i + 1).toString(16), ...demoAbpKeys(d.id) }, master),
  );
  const header =
    "# ABP devices heard by the collectivity's gateways (semtech_udp in territory.yaml).\n" +
    "# Keys sealed with LANTERNE_SECRET_KEY (the demo's: see demo-secrets.ts); written by territory/seal-demo-keys.ts.\n";
  writeFileSync(`${DIR}lorawan-abp.yaml`, header + stringify(sealed));
  process.stdout.write(`sealed ${sealed.length} devices into ${DIR}lorawan-abp.yaml\n`);
}

await main();
