import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable, freePort } from "./process.ts";

/**
 * A private InfluxDB 1.x server for tests: its own temporary directory, its own loopback ports,
 * nothing shared with a system InfluxDB. CI installs it (`apt-get install influxdb`, 1.6.7 on
 * Debian); on a machine without `influxd`, the InfluxDB tests are skipped loudly, except under
 * CI, where a missing server is a failure rather than a silent skip.
 */

export interface Influxd {
  /** Base URL of the HTTP API, e.g. "http://127.0.0.1:41234". */
  url: string;
  port: number;
  /** Temporary directory holding the config, meta, data and WAL. */
  dir: string;
  /** Stops the server (SIGTERM, SIGKILL after a bound) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server but keeps its port and data, for outage tests. */
  halt(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data (halting it first if it runs). */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
/** Last part of the server's output kept for error messages. */
const OUTPUT_TAIL = 4_000;

export function findInfluxd(): string | undefined {
  return findExecutable("influxd");
}

/**
 * The influxd binary, or undefined after a loud warning that the InfluxDB tests are skipped.
 * Under CI (`CI=true`) a missing influxd throws: CI must run these tests, never skip them.
 */
export function requireInfluxd(): string | undefined {
  const binary = findInfluxd();
  if (binary) return binary;
  const message = "influxd not found on PATH (apt-get install influxdb)";
  if (process.env.CI === "true") throw new Error(`InfluxDB tests cannot run under CI: ${message}`);
  console.warn(`\n${"!".repeat(72)}\nInfluxDB tests SKIPPED: ${message}\n${"!".repeat(72)}\n`);
  return undefined;
}

/** Starts a private influxd, or returns undefined (after a loud warning) when none is installed. */
export async function startInfluxd(): Promise<Influxd | undefined> {
  const binary = requireInfluxd();
  if (!binary) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "lanterne-influxd-"));
  const port = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === port) rpcPort = await freePort();
  const configPath = join(dir, "influxd.conf");
  writeFileSync(configPath, influxdConfig(dir, port, rpcPort));
  const server = new Server(binary, configPath, `http://127.0.0.1:${port}`);
  try {
    await server.start();
  } catch (err) {
    await server.halt();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: server.url,
    port,
    dir,
    halt: (signal) => server.halt(signal),
    restart: async () => {
      await server.halt();
      await server.start();
    },
    stop: async () => {
      await server.halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Only what the tests need: HTTP on loopback, the RPC port (used by backup/restore) on loopback
 * too, every listener that is off by default left off, no self-monitoring database, no usage
 * reporting, quiet logs.
 */
function influxdConfig(dir: string, port: number, rpcPort: number): string {
  const path = (name: string) => JSON.stringify(join(dir, name));
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${path("meta")}
  logging-enabled = false

[data]
  dir = ${path("data")}
  wal-dir = ${path("wal")}
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}

class Server {
  private child: ChildProcess | undefined;
  private output = "";

  constructor(
    private readonly binary: string,
    private readonly configPath: string,
    readonly url: string,
  ) {}

  async start(): Promise<void> {
    this.output = "";
    const child = spawn(this.binary, ["-config", this.configPath], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const keep = (data: Buffer) => {
      this.output = (this.output + data.toString()).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    // Never leave a server behind when the test process ends without stopping it.
    const orphanGuard = () => child.kill("SIGKILL");
    process.once("exit", orphanGuard);
    child.once("exit", () => process.removeListener("exit", orphanGuard));
    await this.ready(child);
  }

  /** SIGTERM lets InfluxDB close its WAL; SIGKILL after a bound, so a stuck server never hangs a test. */
  async halt(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private async ready(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}:\n${this.output}`);
      const status = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 204) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`influxd did not answer /ping within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }
}
