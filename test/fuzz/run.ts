import { parseArgs } from "node:util";
import fc from "fast-check";
import { DECODER_PROPERTIES } from "./decoder-properties.ts";
import { Harness, type Memory, memory, memoryGrowth } from "./harness.ts";
import { runSource, SOURCE_NAMES, SOURCES, type SourceRun } from "./properties.ts";

/**
 * Long fuzz runs with the properties of the seeded test (properties.ts), against one in-process
 * platform on loopback ports:
 *
 *   npm run fuzz -- --runs 2000 [--seed 42] [--source mqtt,udp] [--path 12:3:1] [--max-seconds 600]
 *
 * `--runs` is per source; `--max-seconds` bounds the whole run (each source gets its share of
 * the time left). The memory is shown after each source; the heap of the platform still up must
 * come back near its level before the runs (the same rule as the seeded test).
 * `--source decoders` runs the decoders alone (decoder-properties.ts), without the platform.
 * Prints runs per second per source, each failure with the seed and fast-check's path that
 * replay it (`--seed S --source NAME --path P`), and the process's memory before and after.
 * Exits 1 when a property failed.
 */
const USAGE =
  "npm run fuzz -- --runs N [--seed S] [--source mqtt|mqtt-pb|ws|sparkplug|http|http-pb|tts|udp|chirpstack|api|decoders,...] [--path P] [--max-seconds S]";

const NAMES: readonly string[] = [...SOURCE_NAMES, "decoders"];

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "200" },
      seed: { type: "string" },
      source: { type: "string" },
      path: { type: "string" },
      "max-seconds": { type: "string", default: "600" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = positive(values.runs, "--runs");
  const maxSeconds = positive(values["max-seconds"], "--max-seconds");
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) fail(`--seed must be an integer, got ${values.seed}`);
  const names = values.source === undefined ? [...NAMES] : values.source.split(",");
  const unknown = names.filter((n) => !NAMES.includes(n));
  if (unknown.length > 0) fail(`unknown source ${unknown.join(", ")}; one of ${NAMES.join(", ")}`);
  return { runs, maxSeconds, seed, names, path: values.path };
}

function positive(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer, got ${text}`);
  return n;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** The decoders alone: fast, no sockets; a failure is reported as the platform's are. */
function runDecoders(o: {
  runs: number;
  seed: number;
  maxSeconds: number;
  path?: string | undefined;
}): SourceRun[] {
  return DECODER_PROPERTIES.map(({ name, property }) => {
    const started = performance.now();
    const details = fc.check(property, {
      seed: o.seed,
      numRuns: o.runs,
      ...(o.path !== undefined ? { path: o.path } : {}),
      plugins: [fc.interruptAfterTimeLimit(o.maxSeconds * 1000)],
    });
    return {
      name: `decoders/${name}`,
      runs: details.numRuns,
      seconds: (performance.now() - started) / 1000,
      failed: details.failed,
      interrupted: details.interrupted,
      seed: details.seed,
      ...(details.counterexamplePath !== null ? { path: details.counterexamplePath } : {}),
      ...(details.counterexample !== null
        ? { counterexample: fc.stringify(details.counterexample).slice(0, 1500) }
        : {}),
      ...(details.errorInstance !== null ? { error: String(details.errorInstance) } : {}),
    };
  });
}

function line(run: SourceRun): string {
  const rate = run.seconds > 0 ? run.runs / run.seconds : 0;
  const verdict = run.failed ? "FAILED" : run.interrupted ? "ok (time limit reached)" : "ok";
  return `${run.name.padEnd(32)} ${String(run.runs).padStart(6)} runs ${run.seconds.toFixed(1).padStart(7)} s ${rate.toFixed(1).padStart(7)} runs/s  ${verdict}`;
}

function report(run: SourceRun, runs: number): void {
  const m = memory();
  console.log(`${line(run)}  rss ${m.rssMb} MB, heap ${m.heapUsedMb} MB`);
  if (!run.failed) return;
  const source = run.name.startsWith("decoders/") ? "decoders" : run.name;
  console.log(
    `  replay: npm run fuzz -- --seed ${run.seed} --source ${source} --path ${run.path ?? "?"} --runs ${runs}`,
  );
  console.log(`  ${run.error ?? ""}`);
  console.log(`  counterexample: ${run.counterexample ?? "?"}`);
}

const shown = (m: Memory) => `rss ${m.rssMb} MB, heap used ${m.heapUsedMb} MB`;

/**
 * The platform's sources, one after the other, sharing the time left; then the quarantine's
 * accounting since the start, and the memory of the platform still up against its level before.
 */
async function runPlatform(
  o: ReturnType<typeof options>,
  deadline: number,
  results: SourceRun[],
): Promise<string[]> {
  const sources = SOURCES.filter((s) => o.names.includes(s.name));
  if (sources.length === 0) return [];
  const h = await Harness.start();
  const failures: string[] = [];
  try {
    const mark = await h.quarantineMark();
    const before = memory();
    console.log(`platform up, before the runs: ${shown(before)}`);
    for (const [i, source] of sources.entries()) {
      const left = (deadline - performance.now()) / 1000;
      const run = await runSource(h, source, {
        seed: o.seed,
        numRuns: o.runs,
        maxSeconds: Math.max(5, Math.floor(left / (sources.length - i))),
        ...(o.path !== undefined ? { path: o.path } : {}),
      });
      results.push(run);
      report(run, o.runs);
    }
    const entries = await h.checkQuarantineSince(mark).catch((err: Error) => {
      failures.push(`quarantine check FAILED: ${err.message}`);
      return 0;
    });
    console.log(
      `${entries} quarantine entries checked: as many as the writer counted, each with a coded reason`,
    );
    const after = memory();
    console.log(`platform up, after the runs:  ${shown(after)}`);
    const growth = memoryGrowth(before, after);
    if (growth) failures.push(growth);
  } finally {
    await h.close();
  }
  console.log(`platform closed:              ${shown(memory())}`);
  return failures;
}

async function main(): Promise<void> {
  const o = options();
  console.log(`fuzz: seed ${o.seed}, ${o.runs} runs per source, sources ${o.names.join(", ")}`);
  console.log(`process start: ${shown(memory())}`);
  const started = performance.now();
  const deadline = started + o.maxSeconds * 1000;
  const results: SourceRun[] = [];
  if (o.names.includes("decoders")) {
    // The decoders run thousands a second: a tenth of the time is plenty.
    const each = Math.max(1, Math.floor(o.maxSeconds / 10 / DECODER_PROPERTIES.length));
    for (const run of runDecoders({ ...o, maxSeconds: each })) {
      results.push(run);
      report(run, o.runs);
    }
  }
  const failures = await runPlatform(o, deadline, results);
  for (const f of failures) console.log(f);
  const seconds = (performance.now() - started) / 1000;
  const runs = results.reduce((n, r) => n + r.runs, 0);
  console.log(`total: ${runs} runs in ${seconds.toFixed(1)} s, ${(runs / seconds).toFixed(1)} runs/s`);
  process.exitCode = results.some((r) => r.failed) || failures.length > 0 ? 1 : 0;
}

await main();
