import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * `lanterne <command>` as a child process, as an operator runs it, measured from outside: wall
 * time, peak resident memory (the kernel's VmHWM of the process, read every 100 ms; the last read
 * before it exits is its peak) and CPU time (user + system, from /proc/<pid>/stat). The child is
 * node itself (no npx, no shell), so the pid read is the command's.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const POLL_MS = 100;
/** The clock ticks /proc/<pid>/stat counts in (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;
/** Bytes of the child's output kept (its last lines, for an error). */
const TAIL = 4_000;

export interface ChildRun {
  code: number | null;
  wallMs: number;
  peakRssMb: number;
  cpuS: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function runLanterne(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
  nodeArgs: readonly string[] = [],
): Promise<ChildRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "cli/lanterne.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, LANTERNE_LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout = (stdout + b.toString()).slice(-TAIL);
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-TAIL);
  });
  let peakKb = 0;
  let cpuTicks = 0;
  const poll = () => {
    const pid = child.pid;
    if (pid === undefined) return;
    const usage = readUsage(pid);
    if (!usage) return;
    peakKb = Math.max(peakKb, usage.hwmKb);
    cpuTicks = Math.max(cpuTicks, usage.ticks);
  };
  const timer = setInterval(poll, POLL_MS);
  let timedOut = false;
  const bound = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", (err) => {
      clearInterval(timer);
      clearTimeout(bound);
      reject(err);
    });
    child.on("exit", (code) => {
      clearInterval(timer);
      clearTimeout(bound);
      resolve({
        code,
        wallMs: performance.now() - started,
        peakRssMb: peakKb / 1024,
        cpuS: cpuTicks / TICKS_PER_S,
        stdout,
        stderr,
        timedOut,
      });
    });
  });
}

/** The process's peak resident set (kB) and CPU ticks so far; undefined once it has gone. */
function readUsage(pid: number): { hwmKb: number; ticks: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+)/.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    return { hwmKb: Number(hwm?.[1] ?? 0), ticks };
  } catch {
    return undefined;
  }
}
