import { serveParent } from "../ipc.ts";
import { type ClientPlan, LoadGenerator, type RunSpec } from "../load.ts";

/** A load generator in its own process (`--generators N`), driven by the benchmark over IPC. */
const generator = new LoadGenerator();

serveParent(Promise.resolve({ pid: process.pid }), {
  connect: (plan: ClientPlan) => generator.connect(plan),
  run: (spec: RunSpec) => generator.run(spec),
  disconnect: () => generator.disconnect(),
  close: () => generator.disconnect(),
});
