import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { DEMO_SECRETS } from "../../territory/ccphva/demo-secrets.ts";

/** A free loopback port, found by binding port 0 and letting it go. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `lanterne serve` in its own process, as a user would, and waits until it is ready. */
/** What `serve` needs on the demo territory besides ports: its key, and any free UDP port. */
const DEMO_SERVE_ENV = { LANTERNE_SECRET_KEY: DEMO_SECRETS["secret-key"], LANTERNE_UDP_PORT: "0" };

export async function startServeProcess(
  env: Record<string, string>,
  readyUrl: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/lanterne.ts", "serve"], {
    env: { ...process.env, ...DEMO_SERVE_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`lanterne serve exited early:\n${output}`);
    const ok = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`lanterne serve not ready in time:\n${output}`);
}

export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

/** Sends a stop signal as a supervisor or Ctrl+C would, and resolves with the exit code. */
export async function stopGracefully(
  child: ChildProcess,
  signal: "SIGINT" | "SIGTERM",
): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill(signal);
  return exited;
}

/** An executable found on PATH, then in `extraDirs` (Debian puts daemons in /usr/sbin). */
export function findExecutable(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}
