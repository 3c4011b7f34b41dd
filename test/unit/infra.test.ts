import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigSchema } from "../../services/config.ts";

/**
 * Deployment files read as data: no Docker engine or Grafana is needed to check that the compose
 * file, the provisioning and the dashboards fit together, and that the defaults stay safe.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const INFRA = join(ROOT, "infra");
const DASHBOARDS = join(ROOT, "dashboards");
const read = (path: string) => readFileSync(path, "utf8");

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: (string | { host_ip?: string; published?: string | number; target: number })[];
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string | string[] };
  command?: string | string[];
}

const compose = parse(read(join(INFRA, "docker-compose.yml"))) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};

function service(name: string): ComposeService {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
}

function dependsOn(s: ComposeService): string[] {
  return Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
}

/** [host path or volume name, container path, read-only] of a service's mounts. */
function mounts(s: ComposeService): [string, string, boolean][] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== "string") return [v.source ?? "", v.target, v.read_only === true];
    const [source = "", target = "", mode = ""] = v.split(":");
    return [source, target, mode.split(",").includes("ro")];
  });
}

/** Host address each published port is bound to ("" when it is not bound to one). */
function publishedAddresses(s: ComposeService): string[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p !== "string") return p.host_ip ?? "";
    const parts = p.split(":");
    // "ip:host:container", "host:container" or "container": only the first form names an address.
    return parts.length === 3 ? (parts[0] ?? "") : "";
  });
}

describe("docker-compose.yml", () => {
  it("runs influxdb, grafana and lanterne, lanterne after influxdb", () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["influxdb", "grafana", "lanterne"]),
    );
    expect(dependsOn(service("lanterne"))).toContain("influxdb");
    expect(dependsOn(service("grafana"))).toContain("influxdb");
  });

  it("binds every published port to 127.0.0.1", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const address of publishedAddresses(s)) expect(address, name).toBe("127.0.0.1");
    }
    const lanternePorts = (service("lanterne").ports ?? []).map(
      (p) => String(p).split(":").at(-1)?.split(/\s/)[0],
    );
    expect(lanternePorts.sort()).toEqual(["1700/udp", "1883", "8080", "8083"]);
  });

  it("starts InfluxDB 1.8 with the lanterne database, a volume and a healthcheck", () => {
    const influx = service("influxdb");
    expect(influx.image).toBe("influxdb:1.8");
    expect(influx.environment?.INFLUXDB_DB).toBe("lanterne");
    expect(mounts(influx).map(([, target]) => target)).toContain("/var/lib/influxdb");
    expect(influx.healthcheck?.test).toBeDefined();
  });

  it("builds Lanterne from infra/lanterne.Dockerfile, listening on all interfaces, storing in InfluxDB", () => {
    const lanterne = service("lanterne");
    const build = lanterne.build;
    expect(build).toBeDefined();
    expect(existsSync(join(INFRA, build?.context ?? "", build?.dockerfile ?? ""))).toBe(true);
    expect(lanterne.environment?.LANTERNE_HOST).toBe("0.0.0.0");
    expect(lanterne.environment?.LANTERNE_STORE).toMatch(/^influx:\/\/(.+@)?influxdb:8086\/lanterne$/);
    const dataDir = lanterne.environment?.LANTERNE_DATA_DIR;
    expect(
      mounts(lanterne).some(
        ([source, target]) => target === dataDir && compose.volumes?.[source] !== undefined,
      ),
    ).toBe(true);
  });

  it("mounts the repository's provisioning folders and dashboards into Grafana, read-only", () => {
    const grafana = mounts(service("grafana"));
    const bind = (target: string) => grafana.find(([, t]) => t === target);
    for (const kind of ["datasources", "dashboards"]) {
      const mount = bind(`/etc/grafana/provisioning/${kind}`);
      expect(mount, kind).toBeDefined();
      const [source = "", , readOnly] = mount ?? [];
      expect(resolve(INFRA, source)).toBe(join(DASHBOARDS, "provisioning", kind));
      expect(statSync(resolve(INFRA, source)).isDirectory()).toBe(true);
      expect(readOnly).toBe(true);
    }
    // The provider loads the JSON from where compose mounts the dashboards folder.
    const provider = parse(read(join(DASHBOARDS, "provisioning/dashboards/lanterne.yaml")));
    const dashboardsMount = bind(provider.providers[0].options.path);
    expect(dashboardsMount && resolve(INFRA, dashboardsMount[0])).toBe(DASHBOARDS);
  });

  it("commits no password: every secret is required from the environment, with no default", () => {
    const secretName = /PASSWORD|SECRET|TOKEN/i;
    const required = /^\$\{[A-Z0-9_]+:\?[^}]*\}$/;
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (secretName.test(key)) expect(String(value), `${name} ${key}`).toMatch(required);
        // Credentials inside URLs too.
        const userinfo = /:\/\/[^:/@]+:([^@]+)@/.exec(String(value));
        if (userinfo) expect(userinfo[1], `${name} ${key}`).toMatch(required);
      }
    }
    const text = read(join(INFRA, "docker-compose.yml"));
    expect(text).not.toMatch(/PASSWORD[A-Z_]*:-/);
    expect(read(join(INFRA, ".gitignore"))).toMatch(/^\.env$/m);
  });
});

describe("lanterne.Dockerfile", () => {
  const dockerfile = read(join(INFRA, "lanterne.Dockerfile"));

  it("builds on node 20 with npm ci and runs serve as an unprivileged user", () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["npx", "tsx", "cli\/lanterne\.ts", "serve"\]$/m);
  });

  it("copies only paths that exist in the repository", () => {
    for (const [, sources] of dockerfile.matchAll(/^COPY (.+) \S+$/gm)) {
      for (const source of (sources ?? "").split(/\s+/))
        expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
  });
});

describe("Grafana provisioning", () => {
  it("provisions an InfluxQL data source with a fixed uid, its URL from the environment", () => {
    const { datasources } = parse(read(join(DASHBOARDS, "provisioning/datasources/influxdb.yaml")));
    expect(datasources).toHaveLength(1);
    const ds = datasources[0];
    expect(ds).toMatchObject({ uid: "lanterne-influxdb", type: "influxdb", url: "$INFLUXDB_URL" });
    expect(ds.jsonData).toMatchObject({ version: "InfluxQL", dbName: "lanterne" });
    expect(ds.secureJsonData.password).toBe("$INFLUXDB_PASSWORD");
  });

  it("provisions the dashboards folder with a file provider", () => {
    const { providers } = parse(read(join(DASHBOARDS, "provisioning/dashboards/lanterne.yaml")));
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ type: "file", folder: "Lanterne" });
    expect(providers[0].options.path).toMatch(/^\//);
  });
});

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: {
    refId: string;
    query?: string;
    rawQuery?: boolean;
    datasource?: { type: string; uid: string };
  }[];
  panels?: Panel[];
}

describe("dashboards", () => {
  const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith(".json"));
  const dashboards = files.map((file) => ({ file, d: JSON.parse(read(join(DASHBOARDS, file))) }));

  it("has the overview, one dashboard per domain and the platform's", () => {
    expect(files.sort()).toEqual([
      "lanterne-overview.json",
      "lanterne-platform.json",
      "lanterne-streetlight.json",
      "lanterne-waste.json",
      "lanterne-water.json",
    ]);
    expect(new Set(dashboards.map(({ d }) => d.uid)).size).toBe(files.length);
  });

  for (const { file, d } of dashboards) {
    describe(file, () => {
      const panels: Panel[] = (d.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
      const dataPanels = panels.filter((p) => p.type !== "row");

      it("has a uid, a title and a Grafana 10/11 schema", () => {
        expect(d.uid).toMatch(/^lanterne-[a-z]+$/);
        expect(d.title).toMatch(/^Lanterne — /);
        expect(d.schemaVersion).toBeGreaterThanOrEqual(38);
        expect(d.schemaVersion).toBeLessThanOrEqual(41);
        expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      });

      it("has panels with raw InfluxQL targets", () => {
        expect(dataPanels.length).toBeGreaterThan(0);
        for (const p of dataPanels) {
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          for (const t of p.targets ?? []) {
            expect(t.rawQuery, `${p.title} ${t.refId}`).toBe(true);
            expect(t.query, `${p.title} ${t.refId}`).toMatch(/^(SELECT|SHOW) /);
          }
        }
      });

      it("selects its InfluxDB data source through the DS_INFLUXDB variable, never by uid", () => {
        const variables = d.templating.list as {
          name: string;
          type: string;
          query: unknown;
          datasource?: unknown;
        }[];
        expect(variables.find((v) => v.name === "DS_INFLUXDB")).toMatchObject({
          type: "datasource",
          query: "influxdb",
        });
        const refs = [
          ...dataPanels.flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
          ...variables.filter((v) => v.type === "query").map((v) => v.datasource),
        ];
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template.
        for (const ref of refs) expect(ref).toEqual({ type: "influxdb", uid: "${DS_INFLUXDB}" });
        expect(JSON.stringify(d)).not.toContain("lanterne-influxdb");
      });

      // The platform's own dashboard is about the process, not the territory: it has no such filters.
      const territorial = file !== "lanterne-platform.json";
      if (territorial) {
        it("filters by commune and operator", () => {
          const variables = d.templating.list as { name: string; query: string }[];
          expect(variables.find((v) => v.name === "commune")?.query).toMatch(
            /^SHOW TAG VALUES (FROM "\w+" )?WITH KEY = "commune"$/,
          );
          expect(variables.find((v) => v.name === "operator")?.query).toMatch(
            /^SHOW TAG VALUES .*WITH KEY = "operator"/,
          );
          for (const p of dataPanels) {
            for (const t of p.targets ?? [])
              expect(t.query, `${p.title} ${t.refId}`).toContain("/^$commune$/");
          }
        });
      }
    });
  }
});

describe("systemd unit", () => {
  const unit = read(join(INFRA, "systemd/lanterne.service"));
  const settings = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m?.[1]) settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2] ?? ""]);
  }
  const value = (key: string) => settings.get(key)?.at(-1);

  it("runs serve as the lanterne user from /opt/lanterne with its environment file", () => {
    expect(value("User")).toBe("lanterne");
    expect(value("WorkingDirectory")).toBe("/opt/lanterne");
    expect(value("EnvironmentFile")).toBe("/etc/lanterne/lanterne.env");
    expect(value("ExecStart")).toMatch(/cli\/lanterne\.ts serve$/);
    expect(value("Restart")).toBe("on-failure");
  });

  it("is hardened, writing to its data directory only", () => {
    expect(value("NoNewPrivileges")).toBe("yes");
    expect(value("ProtectSystem")).toBe("strict");
    expect(value("ProtectHome")).toBe("yes");
    expect(value("PrivateTmp")).toBe("yes");
    expect(value("PrivateDevices")).toBe("yes");
    expect(value("CapabilityBoundingSet")).toBe("");
    expect(value("ReadWritePaths")).toBe("/var/lib/lanterne");
    expect(value("MemoryDenyWriteExecute")).not.toBe("yes"); // V8's JIT would crash
  });

  it("documents every LANTERNE_* variable in the environment example", () => {
    const example = read(join(INFRA, "systemd/lanterne.env.example"));
    const documented = new Set([...example.matchAll(/^(LANTERNE_[A-Z_]+)=/gm)].map((m) => m[1]));
    const fromConfig = Object.values(ConfigSchema.properties).flatMap(
      (p) => /LANTERNE_[A-Z_]+/.exec(p.description ?? "")?.[0] ?? [],
    );
    expect(fromConfig.length).toBeGreaterThan(5);
    for (const name of [...fromConfig, "LANTERNE_STORE"]) expect(documented, name).toContain(name);
    expect(value("ReadWritePaths")).toBe(/^LANTERNE_DATA_DIR=(.*)$/m.exec(example)?.[1]);
  });
});

describe("infra/influxdb/setup-1x.sh", () => {
  const script = join(INFRA, "influxdb/setup-1x.sh");

  it("is an executable bash script that parses", () => {
    expect(statSync(script).mode & 0o111).not.toBe(0);
    expect(() => execFileSync("bash", ["-n", script])).not.toThrow();
  });

  it("creates the raw (default), hourly and daily retention policies", () => {
    const text = read(script);
    expect(text).toMatch(/policy raw "\$rp_raw" \S+ DEFAULT/);
    expect(text).toMatch(/policy hourly /);
    expect(text).toMatch(/policy daily /);
  });
});
