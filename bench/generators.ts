import { ChildHandle } from "./ipc.ts";
import { LoadGenerator, type LoadResult, type RunSpec } from "./load.ts";

/**
 * The load generator, in the benchmark's own process (`--generators 0`, the default) or spread
 * over child processes (`--generators N`, clients split between them). Results are summed;
 * `cores` is the generators' total CPU and `maxCores` the busiest single process.
 */
export interface GeneratorTotals extends LoadResult {
  processes: number;
  maxCores: number;
}

interface Generator {
  connect(url: string, clients: number, offset: number, total: number): Promise<void>;
  run(spec: RunSpec): Promise<LoadResult>;
  disconnect(): Promise<void>;
  stop(): Promise<void>;
}

export class GeneratorPool {
  private constructor(
    private readonly generators: Generator[],
    private readonly clients: number,
  ) {}

  static async start(processes: number, clients: number): Promise<GeneratorPool> {
    if (processes === 0) return new GeneratorPool([local()], clients);
    const started = await Promise.all(
      Array.from({ length: processes }, () => ChildHandle.start("children/load-child.ts")),
    );
    return new GeneratorPool(
      started.map(({ child }) => remote(child)),
      clients,
    );
  }

  /** Connects every client (split evenly over the generators) to the broker at `url`. */
  async connect(url: string): Promise<void> {
    const g = this.generators.length;
    await Promise.all(
      this.generators.map((gen, i) => {
        const from = Math.floor((this.clients * i) / g);
        const to = Math.floor((this.clients * (i + 1)) / g);
        return gen.connect(url, to - from, from, this.clients);
      }),
    );
  }

  /** Runs every generator; a fixed rate is split in proportion to each one's clients. */
  async run(spec: RunSpec): Promise<GeneratorTotals> {
    const g = this.generators.length;
    const results = await Promise.all(
      this.generators.map((gen, i) => {
        const share =
          (Math.floor((this.clients * (i + 1)) / g) - Math.floor((this.clients * i) / g)) / this.clients;
        return gen.run(spec.rate === undefined ? spec : { ...spec, rate: spec.rate * share });
      }),
    );
    const total = (f: (r: LoadResult) => number) => results.reduce((a, r) => a + f(r), 0);
    return {
      offered: total((r) => r.offered),
      sent: total((r) => r.sent),
      published: total((r) => r.published),
      errors: total((r) => r.errors),
      unfinished: total((r) => r.unfinished),
      disconnects: total((r) => r.disconnects),
      publishMs: Math.max(...results.map((r) => r.publishMs)),
      lastCallbackAt: Math.max(...results.map((r) => r.lastCallbackAt)),
      cores: total((r) => r.cores),
      maxCores: Math.max(...results.map((r) => r.cores)),
      peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
      processes: g,
    };
  }

  disconnect(): Promise<unknown> {
    return Promise.all(this.generators.map((g) => g.disconnect()));
  }

  stop(): Promise<unknown> {
    return Promise.all(this.generators.map((g) => g.stop()));
  }
}

function local(): Generator {
  const gen = new LoadGenerator();
  return {
    connect: (url, clients, offset, totalClients) => gen.connect({ url, clients, offset, totalClients }),
    run: (spec) => gen.run(spec),
    disconnect: () => gen.disconnect(),
    stop: () => gen.disconnect(),
  };
}

function remote(child: ChildHandle): Generator {
  return {
    connect: (url, clients, offset, totalClients) =>
      child.call("connect", { url, clients, offset, totalClients }, 60_000),
    run: (spec) => child.call("run", spec, spec.startAt - Date.now() + spec.seconds * 1000 + 660_000),
    disconnect: () => child.call("disconnect", undefined, 30_000),
    stop: () => child.stop(),
  };
}
