/**
 * Bounds how many slow KDF checks run at once. scrypt runs on libuv's thread pool (4 threads by
 * default), which file I/O and DNS share: a flood of wrong passwords must not take all of it, nor
 * the CPU, away from honest work. Checks past `concurrency` wait in two queues: attempts from
 * clean keys first, then attempts from keys that failed recently (`suspect`), so an honest
 * operator's first login is not stuck behind an attacker's queue. Past `maxQueued` waiting, an
 * attempt is turned away at once (the caller answers "throttled") rather than queued without end.
 */
export interface KdfGateConfig {
  concurrency: number;
  maxQueued: number;
}

export const DEFAULT_KDF_GATE: KdfGateConfig = { concurrency: 2, maxQueued: 64 };

export interface KdfGate {
  /** Runs `task` when a slot is free; undefined when the queue is full (nothing is run). */
  tryRun<T>(task: () => Promise<T>, suspect: boolean): Promise<T> | undefined;
  /** Checks running and waiting (for tests). */
  readonly running: number;
  readonly queued: number;
}

export function createKdfGate(config: KdfGateConfig = DEFAULT_KDF_GATE): KdfGate {
  const clean: Array<() => void> = [];
  const suspects: Array<() => void> = [];
  let running = 0;
  const release = () => {
    running--;
    const next = clean.shift() ?? suspects.shift();
    if (next) {
      running++;
      next();
    }
  };
  const start = <T>(task: () => Promise<T>): Promise<T> =>
    // The slot is freed however the task ends; a task that throws synchronously rejects instead.
    Promise.resolve().then(task).finally(release);
  return {
    tryRun(task, suspect) {
      if (running < config.concurrency) {
        running++;
        return start(task);
      }
      if (clean.length + suspects.length >= config.maxQueued) return undefined;
      return new Promise((resolve, reject) => {
        (suspect ? suspects : clean).push(() => start(task).then(resolve, reject));
      });
    },
    get running() {
      return running;
    },
    get queued() {
      return clean.length + suspects.length;
    },
  };
}
