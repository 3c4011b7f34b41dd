import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import type { Clock } from "../../services/domain/clock.ts";
import type { Observation } from "../../services/domain/types.ts";
import { hashSecret } from "../../services/inventory/secrets.ts";
import { CCPHVA_DIR } from "../../territory/generate.ts";
import { basic, DEMO_SECRETS, reading, technician } from "../helpers/platform.ts";

/**
 * A streetlight handed over from one lighting contractor to the next at H, on a real platform
 * (HTTP ingestion, DuckDB, the API) whose clock the test moves: the demo territory has no
 * handover, so the test writes a small territory whose handover is ten minutes after the test
 * starts, and createPlatform is given a clock running `offset` ahead of the system's.
 */
const MIN = 60_000;
const LAMP = "lum-57038-0001";
const OTHER_LAMP = "lum-57038-0002";
const NEXT_SECRET = "demo-lumiere-nord";
const N = Math.floor(Date.now() / MIN) * MIN;
const H = N + 10 * MIN;

const outgoing = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const incoming = basic("lumiere-nord", NEXT_SECRET);
const stranger = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);

let offset = 0;
const clock: Clock = { now: () => Date.now() + offset };
let platform: Platform;
let territoryDir: string;
let dataDir: string;

async function writeTerritory(dir: string): Promise<void> {
  const demo = parseYaml(readFileSync(join(CCPHVA_DIR, "territory.yaml"), "utf8"));
  const operators = [
    ...demo.operators,
    {
      id: "lumiere-nord",
      name: "Lumière Nord",
      username: "lumiere-nord",
      secret_hash: await hashSecret(NEXT_SECRET),
    },
  ];
  const territory = {
    owner: demo.owner,
    epci: demo.epci,
    inventory: "inventory.csv",
    assignments: "assignments.csv",
    operators,
    users: demo.users,
  };
  writeFileSync(join(dir, "territory.yaml"), stringifyYaml(territory));
  cpSync(join(CCPHVA_DIR, "contracts"), join(dir, "contracts"), { recursive: true });
  const rows = readFileSync(join(CCPHVA_DIR, "inventory.csv"), "utf8").split("\n");
  const lamp = (id: string, to = "") =>
    (rows.find((r) => r.startsWith(`${id},`)) ?? "").replace(",2024-01-01,,", `,2024-01-01,${to},`);
  writeFileSync(
    join(dir, "inventory.csv"),
    [rows[0], lamp(LAMP, new Date(H).toISOString()), lamp(OTHER_LAMP), ""].join("\n"),
  );
  writeFileSync(
    join(dir, "assignments.csv"),
    `device_id,operator,from,to\n${LAMP},lumiere-nord,${new Date(H).toISOString()},\n`,
  );
}

interface DeviceBody {
  id: string;
  operator: string | null;
  state: { operator: string; values: Record<string, { value: unknown }> } | null;
  periods?: { from: string; to: string | null }[];
}

/** The answers the test reads, as the API's schemas (services/api/schemas.ts) describe them. */
interface Bodies {
  device: DeviceBody;
  list: { count: number; devices: DeviceBody[] };
  series: { points: { last: number; count: number }[] };
  quarantine: { total: number; entries: { operator: string }[] };
  compliance: { violations: { operator: string }[] };
}

async function api<K extends keyof Bodies>(_kind: K, path: string, auth?: string) {
  const res = await fetch(`${platform.apiUrl}${path}`, auth ? { headers: { authorization: auth } } : {});
  return { status: res.status, body: (await res.json()) as Bodies[K] };
}

async function send(auth: string, readings: ReturnType<typeof reading>[]) {
  const res = await fetch(`${platform.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ readings }),
  });
  return (await res.json()) as { accepted: number; items: { violations: { code: string }[] }[] };
}

const lampReading = (minutes: number, power: number) =>
  reading(
    LAMP,
    { power_state: "on", status: "ok", active_power_w: power },
    new Date(N + minutes * MIN).toISOString(),
  );

/** A reading stored under `operatorId` whatever the assignments say (an archive imported later). */
function stored(operatorId: string, minutes: number, power: number): Observation {
  return {
    deviceId: LAMP,
    time: N + minutes * MIN,
    domain: "streetlight",
    commune: "57038",
    ownerId: "ccphva",
    operatorId,
    contract: "ccphva-streetlight@1.0.0",
    values: { power_state: "on", status: "ok", active_power_w: power },
  };
}

const RANGE = `from=${new Date(N - 120 * MIN).toISOString()}&to=${new Date(N + 30 * MIN).toISOString()}`;

/** The lamp's power readings a caller gets, in time order. */
async function powers(auth: string, resolution = "raw"): Promise<number[]> {
  const res = await api(
    "series",
    `/api/v1/devices/${LAMP}/series?${RANGE}&fields=active_power_w&resolution=${resolution}`,
    auth,
  );
  expect(res.status).toBe(200);
  return res.body.points.map((p) => p.last);
}

beforeAll(async () => {
  territoryDir = mkdtempSync(join(tmpdir(), "lanterne-territory-"));
  dataDir = mkdtempSync(join(tmpdir(), "lanterne-test-"));
  await writeTerritory(territoryDir);
  const config = loadConfig(
    { host: "127.0.0.1", mqttPort: 0, wsPort: 0, httpPort: 0, udpPort: 0, dataDir, territoryDir },
    {},
  );
  platform = await createPlatform(config, clock);
  await platform.start();
  const before = await send(outgoing, [lampReading(-60, 10), lampReading(-30, 20), lampReading(-1, 30)]);
  expect(before.accepted).toBe(3);
  // Written under the next operator inside the outgoing one's period (an archive imported later).
  await platform.store.write([stored("lumiere-nord", -45, 999)]);
});

afterAll(async () => {
  await platform?.close();
  for (const dir of [territoryDir, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("access before the handover", () => {
  it("refuses the next operator's readings at ingestion", async () => {
    const early = await send(incoming, [lampReading(-5, 1)]);
    expect(early.items[0]?.violations.map((v) => v.code)).toEqual(["ERR_DEVICE_NOT_ASSIGNED"]);
  });

  it("shows the holder its device, current state and readings, not another operator's", async () => {
    const lamp = await api("device", `/api/v1/devices/${LAMP}`, outgoing);
    expect(lamp.status).toBe(200);
    expect(lamp.body).toMatchObject({
      operator: "lumiere-est",
      state: { operator: "lumiere-est", values: { active_power_w: { value: 30 } } },
      periods: [{ from: "2024-01-01T00:00:00.000Z", to: new Date(H).toISOString() }],
    });
    expect(await powers(outgoing)).toEqual([10, 20, 30]);
  });

  it("shows the next operator nothing before its period begins", async () => {
    expect((await api("device", `/api/v1/devices/${LAMP}`, incoming)).status).toBe(403);
    expect((await api("list", "/api/v1/devices", incoming)).body.count).toBe(0);
  });
});

describe("access after the handover, without a restart", () => {
  beforeAll(async () => {
    offset = 20 * MIN;
  });

  it("hides the outgoing operator's current state at the end date, and keeps its own past", async () => {
    const lamp = await api("device", `/api/v1/devices/${LAMP}`, outgoing);
    expect(lamp.status).toBe(200);
    expect(lamp.body).toMatchObject({ operator: null, state: null });
    const list = await api("list", "/api/v1/devices", outgoing);
    const listed = list.body.devices.find((d) => d.id === LAMP);
    expect(listed).toMatchObject({
      operator: null,
      state: null,
      periods: [{ to: new Date(H).toISOString() }],
    });
    expect(await powers(outgoing)).toEqual([10, 20, 30]);
  });

  it("lets the next operator in from H, and refuses the outgoing one's later readings", async () => {
    const late = await send(outgoing, [lampReading(12, 1)]);
    expect(late.items[0]?.violations.map((v) => v.code)).toEqual(["ERR_DEVICE_NOT_ASSIGNED"]);
    expect((await send(incoming, [lampReading(11, 40), lampReading(15, 50)])).accepted).toBe(2);
    // Stored under the outgoing operator after its period (a handover date corrected later).
    await platform.store.write([stored("lumiere-est", 13, 777)]);
    const lamp = await api("device", `/api/v1/devices/${LAMP}`, incoming);
    expect(lamp.body).toMatchObject({
      operator: "lumiere-nord",
      state: { operator: "lumiere-nord", values: { active_power_w: { value: 50 } } },
      periods: [{ from: new Date(H).toISOString(), to: null }],
    });
  });

  it("clips each operator's series to its periods and its own readings", async () => {
    expect(await powers(outgoing)).toEqual([10, 20, 30]);
    expect(await powers(incoming)).toEqual([40, 50]);
    const hourly = await api(
      "series",
      `/api/v1/devices/${LAMP}/series?${RANGE}&fields=active_power_w&resolution=1h`,
      outgoing,
    );
    const counted = hourly.body.points.reduce((n, p) => n + p.count, 0);
    expect(counted).toBe(3);
  });

  it("shows staff every reading and the current holder", async () => {
    expect(await powers(technician)).toEqual([10, 999, 20, 30, 40, 777, 50]);
    const lamp = await api("device", `/api/v1/devices/${LAMP}`, technician);
    expect(lamp.body).toMatchObject({ operator: "lumiere-nord", state: { operator: "lumiere-nord" } });
    expect(lamp.body.periods).toBeUndefined();
  });

  it("refuses a device to an operator that never held it", async () => {
    expect((await api("device", `/api/v1/devices/${LAMP}`, stranger)).status).toBe(403);
    expect((await api("series", `/api/v1/devices/${LAMP}/series`, stranger)).status).toBe(403);
    expect((await api("list", "/api/v1/devices", stranger)).body.count).toBe(0);
    expect((await api("device", `/api/v1/devices/${OTHER_LAMP}`, incoming)).status).toBe(403);
    expect((await api("device", "/api/v1/devices/lum-00000-0000", incoming)).status).toBe(404);
  });

  it("keeps each operator's quarantine and compliance its own", async () => {
    const own = await api("quarantine", "/api/v1/quarantine?operator=lumiere-est", incoming);
    expect(own.body.total).toBeGreaterThan(0);
    expect(own.body.entries.every((e) => e.operator === "lumiere-nord")).toBe(true);
    const compliance = await api("compliance", "/api/v1/compliance", outgoing);
    expect(compliance.body.violations.every((v) => v.operator === "lumiere-est")).toBe(true);
  });
});
