import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { type SessionKeys, sealDevice } from "../gateway/lorawan/session.ts";
import { em310UdlBytes } from "../simulator/lorawan-payloads.ts";

/**
 * The LoRaWAN fleet of the benchmark: the demo inventory's waste containers (EM310-UDL), each with
 * an ABP session of its own (DevAddr and keys made here), and a temporary copy of the demo
 * territory that lists three gateways, those sessions (sealed) and a ChirpStack integration on the
 * benchmark's broker, as test/integration/semtech-platform.test.ts does for one device.
 */
export interface Container {
  deviceId: string;
  devEui: string;
  devAddr: string;
  depthMm: number;
  keys: SessionKeys;
}

export const GATEWAYS = ["aa555a0000000101", "aa555a0000000102", "aa555a0000000103"];
export const CODEC = "milesight-em310-udl";
export const FPORT = 85;
export const OPERATOR = "collecte-nord";
export const INTEGRATION = "cs-bench";

const DEMO = fileURLToPath(new URL("../territory/ccphva", import.meta.url));

/** The EM310-UDL containers of the demo inventory (CSV), in file order. */
export function readContainers(): Omit<Container, "devAddr" | "keys">[] {
  const [header = "", ...rows] = readFileSync(join(DEMO, "inventory.csv"), "utf8").split(/\r?\n/);
  const cols = header.split(",");
  const at = (name: string) => cols.indexOf(name);
  const [id, eui, codec, depth, operator] = ["id", "dev_eui", "codec", "depth_mm", "operator"].map(at);
  const found = rows
    .map((line) => line.split(","))
    .filter((f) => f[codec ?? -1] === CODEC && f[eui ?? -1] && f[operator ?? -1] === OPERATOR)
    .map((f) => ({
      deviceId: f[id ?? -1] as string,
      devEui: (f[eui ?? -1] as string).toLowerCase(),
      depthMm: Number(f[depth ?? -1] || 2000),
    }));
  if (found.length === 0) throw new Error(`no ${CODEC} device of ${OPERATOR} in the demo inventory`);
  return found;
}

/** One ABP session per container: distinct DevAddr (0x26 NwkID-style prefix), random keys. */
export function withSessions(containers: ReturnType<typeof readContainers>): Container[] {
  return containers.map((c, i) => ({
    ...c,
    devAddr: (0x26_10_00_00 + i).toString(16).padStart(8, "0"),
    keys: { nwkSKey: randomBytes(16), appSKey: randomBytes(16) },
  }));
}

export interface Territory {
  dir: string;
  /** LANTERNE_SECRET_KEY for the platform child (the sealed keys open with it). */
  masterHex: string;
}

/** Copies the demo territory into a temporary folder and adds the gateways, sessions and integration. */
export function makeTerritory(fleet: readonly Container[], brokerPort: number): Territory {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-bench-lorawan-"));
  cpSync(DEMO, dir, { recursive: true });
  const masterHex = randomBytes(32).toString("hex");
  const master = Buffer.from(masterHex, "hex");
  const sealed = fleet.map((c) =>
    sealDevice({ deviceId: c.deviceId, devAddr: c.devAddr, ...c.keys }, master),
  );
  writeFileSync(join(dir, "lorawan-abp.yaml"), stringify(sealed));
  const file = join(dir, "territory.yaml");
  const doc = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const integrations = Array.isArray(doc.integrations) ? doc.integrations : [];
  // The demo's own ChirpStack integration (a broker on 1884) is replaced by the bench's.
  doc.integrations = [
    ...integrations.filter((i: { kind?: unknown }) => i.kind !== "chirpstack"),
    { id: INTEGRATION, kind: "chirpstack", operator: OPERATOR, url: `mqtt://127.0.0.1:${brokerPort}` },
  ];
  doc.semtech_udp = {
    gateways: GATEWAYS.map((eui, i) => ({ eui, name: `Banc ${i + 1}` })),
    abp_devices: "lorawan-abp.yaml",
  };
  writeFileSync(file, stringify(doc));
  return { dir, masterHex };
}

/**
 * An EM310-UDL uplink (fPort 85, Milesight channel table): battery %, distance mm (kept within
 * the container's depth so the filling level stays in the contract's 0..1), position normal.
 */
export function em310Bytes(distanceMm: number, batteryPercent: number): Buffer {
  return em310UdlBytes({ distanceMm, batteryPercent, lidOpen: false });
}

/** The n-th uplink of a container: the distance walks down the container as it fills. */
export function em310For(c: Container, n: number): Buffer {
  const step = (n * 37) % 1000;
  return em310Bytes((c.depthMm * (1000 - step)) / 1000, 60 + (n % 40));
}
