import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable, freePort } from "./process.ts";

/**
 * A private Mosquitto broker for tests (Debian's `mosquitto`, as an operator's ChirpStack would
 * use): its own loopback port and configuration, anonymous clients, no persistence. Without the
 * binary the tests are skipped loudly, except under CI, where that is a failure.
 */
export interface Mosquitto {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** Debian's Mosquitto, on PATH or in /usr/sbin (where Debian puts daemons). */
export function findMosquitto(): string | undefined {
  return findExecutable("mosquitto", ["/usr/sbin"]);
}

export function requireMosquitto(): string | undefined {
  const binary = findMosquitto();
  if (binary) return binary;
  const message = "mosquitto not found (apt-get install mosquitto)";
  if (process.env.CI === "true") throw new Error(`Mosquitto tests cannot run under CI: ${message}`);
  console.warn(`\n${"!".repeat(72)}\nMosquitto tests SKIPPED: ${message}\n${"!".repeat(72)}\n`);
  return undefined;
}

/** `settings`: more mosquitto.conf lines (limits, `$SYS` interval...). */
export async function startMosquitto(binary: string, settings: readonly string[] = []): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", ...settings];
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const child: ChildProcess = spawn(binary, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  await waitForPort(port, child, () => output);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited early:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`mosquitto did not listen on ${port} within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}
