import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Request/reply over the Node IPC channel between the benchmark and its children. A child is
 * started with `node --import tsx` and exits when the channel closes, so a crashed or
 * interrupted benchmark never leaves a broker or a load generator behind.
 */
interface Request {
  id: number;
  cmd: string;
  args?: unknown;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type Handlers = Record<string, (args: never) => unknown>;

const REPO = fileURLToPath(new URL("..", import.meta.url));

/** Children still running; killed if the benchmark exits without stopping them. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export class ChildHandle {
  private next = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on("message", (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`${name}: ${m.error}`));
    });
    live.add(child);
    child.on("exit", (code, signal) => {
      live.delete(child);
      this.exited = true;
      for (const w of this.waiting.values())
        w.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
      this.waiting.clear();
    });
  }

  /** Starts `bench/<file>` with `node --import tsx [nodeOptions]` and waits for its "ready" reply (bounded). */
  static async start<T>(
    file: string,
    nodeOptions: string[] = [],
    timeoutMs = 60_000,
    env: Record<string, string> = {},
  ): Promise<{ child: ChildHandle; ready: T }> {
    const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
      cwd: REPO,
      env: { ...process.env, ...env },
      execArgv: ["--import", "tsx", ...nodeOptions],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const handle = new ChildHandle(file, child);
    try {
      const ready = await handle.call<T>("ready", undefined, timeoutMs);
      return { child: handle, ready };
    } catch (err) {
      await handle.stop(5_000);
      throw err;
    }
  }

  /** Sends a command and waits for its reply, at most `timeoutMs`. */
  call<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no reply to "${cmd}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Asks the child to close, then kills it if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    await this.call("close", undefined, graceMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

/**
 * The child side: answers each request with its handler's result. "ready" is answered once
 * `init` has resolved; "close" runs the handler, replies, then disconnects and exits.
 */
export function serveParent(init: Promise<unknown>, handlers: Handlers): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("this file is a benchmark child: start it through bench/run.ts");
  // A failed start is reported to the parent when it asks "ready", not as an unhandled rejection.
  init.catch(() => undefined);
  const reply = (r: Reply) => new Promise<void>((resolve) => send(r, undefined, undefined, () => resolve()));
  const answer = async (m: Request): Promise<void> => {
    const handler = m.cmd === "ready" ? () => init : handlers[m.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      const result = await (handler as (a: unknown) => unknown)(m.args);
      await reply({ id: m.id, ok: true, result: result ?? null });
    } catch (err) {
      await reply({ id: m.id, ok: false, error: (err as Error)?.stack ?? String(err) });
    }
    if (m.cmd === "close") process.disconnect();
  };
  process.on("disconnect", () => process.exit(0));
  process.on("message", (m: Request) => {
    answer(m).catch((err: unknown) => console.error(err));
  });
}
