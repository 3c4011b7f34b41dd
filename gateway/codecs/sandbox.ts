import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Violation } from "../../services/domain/types.ts";

/**
 * Runs device codecs (TTN Device Repository / ChirpStack v4 form: a global
 * `decodeUplink({bytes, fPort, variables}) -> {data, warnings, errors}`) inside QuickJS compiled
 * to WebAssembly, as ChirpStack does, never in the host's JavaScript engine: a codec is code
 * written by a vendor or an operator, and the platform must survive any of them.
 *
 * - One QuickJS runtime and context per codec, created at its first uplink: the source is
 *   compiled once, then `decodeUplink` is called per uplink. A codec may keep state in its own
 *   globals (as in ChirpStack); nothing is shared between codecs.
 * - Input crosses as JSON text and output comes back as JSON text made inside the VM, so no VM
 *   handle outlives a call and the host never touches a VM object.
 * - Limits: time per call (interrupt handler), memory and stack per runtime, output size. A
 *   runtime that hit a time or memory limit is disposed and rebuilt before the next uplink.
 * - Results are values: `{ok: false, violation}` carries a DataCode, never an exception.
 */

export interface SandboxLimits {
  /** Wall time a single call to `decodeUplink` may take, in ms. */
  timeoutMs: number;
  /** Wall time the first evaluation of a codec's source may take, in ms (done once per runtime). */
  loadTimeoutMs: number;
  /** malloc limit of each codec's runtime, in bytes. */
  memoryBytes: number;
  /** Native stack a codec may use, in bytes (deep recursion fails with CODEC_MEMORY). */
  maxStackBytes: number;
  /** Longest JSON text of `decodeUplink`'s result accepted, in characters. */
  maxOutputChars: number;
  /** Deepest nesting of objects and arrays accepted in `data`. */
  maxDepth: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = {
  timeoutMs: 50,
  loadTimeoutMs: 500,
  memoryBytes: 16 * 1024 * 1024,
  maxStackBytes: 256 * 1024,
  maxOutputChars: 64 * 1024,
  maxDepth: 16,
};

/** A codec as the sandbox needs it; `variables` are ChirpStack's device-profile variables. */
export interface SandboxCodec {
  id: string;
  source: string;
  variables?: Readonly<Record<string, string>>;
}

export interface CodecInput {
  bytes: ArrayLike<number>;
  fPort: number;
}

export type CodecResult =
  | { ok: true; data: Record<string, unknown>; warnings: string[] }
  | { ok: false; violation: Violation };

/** Counters for benchmarks: `totalMicros / calls` is the mean cost of one decode, VM included. */
export interface SandboxStats {
  calls: number;
  totalMicros: number;
  maxMicros: number;
  /** Runtimes created (first use, source change, or rebuild after a limit was hit). */
  runtimesCreated: number;
  /** Runtimes thrown away because a codec hit a time or memory limit. */
  restarts: number;
  /** Runtimes alive now. */
  live: number;
}

export interface CodecSandbox {
  decode(codec: SandboxCodec, input: CodecInput): CodecResult;
  stats(): SandboxStats;
  /** Disposes every runtime; the sandbox cannot be used afterwards. */
  close(): void;
}

/** Codec error texts starting with this mean "payload too short" (reported as DECODE_LENGTH). */
export const LENGTH_ERROR_PREFIX = "truncated";

export async function createCodecSandbox(limits: Partial<SandboxLimits> = {}): Promise<CodecSandbox> {
  const module = await newQuickJSWASMModuleFromVariant(releaseSyncVariant());
  return createSandboxOn(module, { ...DEFAULT_SANDBOX_LIMITS, ...limits });
}

type SyncVariant = Exclude<Parameters<typeof newQuickJSWASMModuleFromVariant>[0], Promise<unknown>>;

/**
 * The package's types describe its CommonJS build (the variant under `.default` of the module),
 * while Node's ESM loader hands over the variant itself: accept both shapes.
 */
function releaseSyncVariant(): SyncVariant {
  const imported: unknown = releaseSync;
  const inner = typeof imported === "object" && imported !== null && "default" in imported;
  return (inner ? imported.default : imported) as SyncVariant;
}

/** One codec's VM. `broken` caches a failure to load the source, so a bad codec costs once. */
interface Slot {
  /** The codec object last seen for this id: the same object again needs no comparison. */
  codec: SandboxCodec;
  source: string;
  variablesJson: string;
  vm?: CodecVm;
  broken?: Violation;
}

interface CodecVm {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  /** Our wrapper around the codec's `decodeUplink`, captured before the codec's code ran. */
  call: QuickJSHandle;
  deadline: number;
  interrupted: boolean;
}

function createSandboxOn(module: QuickJSWASMModule, limits: SandboxLimits): CodecSandbox {
  const slots = new Map<string, Slot>();
  const stats: SandboxStats = {
    calls: 0,
    totalMicros: 0,
    maxMicros: 0,
    runtimesCreated: 0,
    restarts: 0,
    live: 0,
  };
  let closed = false;

  /** The slot of a codec id, rebuilt when its source or variables changed (a reloaded file). */
  function slotFor(codec: SandboxCodec): Slot {
    const slot = slots.get(codec.id);
    // Per uplink: registries and the worker hand over the same codec object each time.
    if (slot?.codec === codec) return slot;
    const variablesJson = JSON.stringify(codec.variables ?? {});
    if (slot && slot.source === codec.source && slot.variablesJson === variablesJson) {
      slot.codec = codec;
      return slot;
    }
    if (slot) dropVm(slot);
    const fresh: Slot = { codec, source: codec.source, variablesJson };
    slots.set(codec.id, fresh);
    return fresh;
  }

  function dropVm(slot: Slot): void {
    if (!slot.vm) return;
    disposeVm(slot.vm);
    slot.vm = undefined;
    stats.live--;
  }

  function vmOf(codec: SandboxCodec, slot: Slot): CodecVm | Violation {
    if (slot.broken) return slot.broken;
    if (slot.vm) return slot.vm;
    const made = buildVm(module, limits, codec);
    stats.runtimesCreated++;
    if ("code" in made) {
      // A source that does not compile or throws at load fails the same way every time; a load
      // that hit a limit may have met a busy machine, so it is tried again at the next uplink.
      if (made.code === DataCode.CODEC_ERROR) slot.broken = made;
      return made;
    }
    slot.vm = made;
    stats.live++;
    return made;
  }

  function decode(codec: SandboxCodec, input: CodecInput): CodecResult {
    if (closed) throw new Error("codec sandbox is closed");
    const started = performance.now();
    const slot = slotFor(codec);
    const vm = vmOf(codec, slot);
    const result = "code" in vm ? fail(vm) : callVm(vm, inputJson(input, slot.variablesJson), limits);
    if (!result.ok && RESTARTING.has(result.violation.code) && slot.vm) {
      // A VM stopped mid-allocation or mid-loop may hold half-built state: never reuse it.
      dropVm(slot);
      stats.restarts++;
    }
    record(stats, performance.now() - started);
    return result;
  }

  return {
    decode,
    stats: () => ({ ...stats }),
    close() {
      if (closed) return;
      closed = true;
      for (const slot of slots.values()) dropVm(slot);
      slots.clear();
    },
  };
}

const RESTARTING: ReadonlySet<string> = new Set([DataCode.CODEC_TIMEOUT, DataCode.CODEC_MEMORY]);

function record(stats: SandboxStats, ms: number): void {
  const micros = ms * 1000;
  stats.calls++;
  stats.totalMicros += micros;
  if (micros > stats.maxMicros) stats.maxMicros = micros;
}

function inputJson(input: CodecInput, variablesJson: string): string {
  return `{"bytes":[${Array.prototype.join.call(input.bytes, ",")}],"fPort":${input.fPort},"variables":${variablesJson}}`;
}

/**
 * Evaluated before the codec's source, so that the codec cannot replace what the wrapper uses
 * (JSON, Number.isFinite). Returns a one-letter tag then text: R result JSON, V value not plain,
 * S too large, E no decodeUplink. The replacer refuses what JSON would silently change (NaN,
 * Infinity become null; functions vanish). Interrupts are uncatchable in QuickJS; out-of-memory
 * is an InternalError, rethrown so that the host sees it.
 */
const WRAPPER = `(function (stringify, parse, isFiniteNumber, InternalErrorType, maxChars) {
  return function (inputJson) {
    var decode = globalThis.decodeUplink;
    if (typeof decode !== "function") return "Eno global function decodeUplink";
    var out = decode(parse(inputJson));
    if (out === undefined) return "Vresult is undefined";
    var bad = null;
    var text;
    try {
      text = stringify(out, function (key, value) {
        var t = typeof value;
        if (bad === null && t === "number" && !isFiniteNumber(value)) bad = key + ": " + value + " is not a finite number";
        if (bad === null && (t === "function" || t === "symbol")) bad = key + ": a " + t + " is not a value";
        return value;
      });
    } catch (e) {
      if (e instanceof InternalErrorType) throw e;
      return "V" + e;
    }
    if (bad !== null) return "V" + bad;
    if (typeof text !== "string") return "Vresult is not serializable";
    if (text.length > maxChars) return "S" + text.length;
    return "R" + text;
  };
})(JSON.stringify, JSON.parse, Number.isFinite, InternalError, MAX_CHARS)`;

function buildVm(module: QuickJSWASMModule, limits: SandboxLimits, codec: SandboxCodec): CodecVm | Violation {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.maxStackBytes);
  const context = runtime.newContext();
  const vm = { runtime, context, deadline: 0, interrupted: false } as Omit<CodecVm, "call"> & {
    call?: QuickJSHandle;
  };
  runtime.setInterruptHandler(() => {
    if (Date.now() <= vm.deadline) return false;
    vm.interrupted = true;
    return true;
  });
  const problem = loadInto(vm, limits, codec);
  if (problem) {
    vm.call?.dispose();
    context.dispose();
    runtime.dispose();
    return problem;
  }
  return vm as CodecVm;
}

function loadInto(
  vm: Omit<CodecVm, "call"> & { call?: QuickJSHandle },
  limits: SandboxLimits,
  codec: SandboxCodec,
): Violation | undefined {
  arm(vm, limits.loadTimeoutMs);
  const wrapper = vm.context.evalCode(
    WRAPPER.replace("MAX_CHARS", String(limits.maxOutputChars)),
    "lanterne.js",
  );
  if (wrapper.error) return errorViolation(vm, wrapper.error, "loading the wrapper");
  vm.call = wrapper.value;
  arm(vm, limits.loadTimeoutMs);
  const loaded = vm.context.evalCode(codec.source, `${codec.id}.js`);
  if (loaded.error) return errorViolation(vm, loaded.error, `loading codec ${codec.id}`);
  loaded.value.dispose();
  return undefined;
}

function arm(vm: { deadline: number; interrupted: boolean }, ms: number): void {
  vm.deadline = Date.now() + ms;
  vm.interrupted = false;
}

function disposeVm(vm: CodecVm): void {
  vm.call.dispose();
  vm.context.dispose();
  vm.runtime.dispose();
}

function callVm(vm: CodecVm, input: string, limits: SandboxLimits): CodecResult {
  const { context } = vm;
  arm(vm, limits.timeoutMs);
  const arg = context.newString(input);
  const called = context.callFunction(vm.call, context.undefined, arg);
  arg.dispose();
  if (called.error) return fail(errorViolation(vm, called.error, "decodeUplink"));
  const text = context.typeof(called.value) === "string" ? context.getString(called.value) : "";
  called.value.dispose();
  const pending = drainJobs(vm);
  if (pending) return fail(pending);
  return readTagged(text, limits);
}

/**
 * Promises a codec made (an `import()`, an async helper) would otherwise queue jobs that live as
 * long as the runtime; run them now, under the same deadline, and drop their results.
 */
function drainJobs(vm: CodecVm): Violation | undefined {
  if (!vm.runtime.hasPendingJob()) return undefined;
  const jobs = vm.runtime.executePendingJobs(64);
  if (jobs.error) {
    const problem = errorViolation(vm, jobs.error, "a pending job");
    return problem.code === DataCode.CODEC_ERROR ? undefined : problem;
  }
  jobs.dispose();
  return undefined;
}

/** Classifies a thrown value and disposes its handle. */
function errorViolation(vm: Omit<CodecVm, "call">, error: QuickJSHandle, during: string): Violation {
  const text = describeError(vm.context, error);
  error.dispose();
  if (vm.interrupted) {
    return violation(DataCode.CODEC_TIMEOUT, "codec", `${during} ran past its time limit`);
  }
  if (/out of memory|stack overflow/.test(text)) {
    return violation(DataCode.CODEC_MEMORY, "codec", `${during}: ${text}`);
  }
  return violation(DataCode.CODEC_ERROR, "codec", `${during} threw ${text}`);
}

/** "Name: message" of a thrown value, short: a stack overflow's stack alone is kilobytes. */
function describeError(context: QuickJSContext, error: QuickJSHandle): string {
  try {
    if (context.typeof(error) !== "object") return clip(String(context.dump(error)));
    const name = context.getProp(error, "name");
    const message = context.getProp(error, "message");
    const text = `${stringOf(context, name)}: ${stringOf(context, message)}`;
    name.dispose();
    message.dispose();
    return clip(text);
  } catch {
    // Reading the error may itself run out of memory: the null exception QuickJS throws then.
    return "out of memory";
  }
}

function stringOf(context: QuickJSContext, handle: QuickJSHandle): string {
  return context.typeof(handle) === "string" ? context.getString(handle) : "";
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

function readTagged(text: string, limits: SandboxLimits): CodecResult {
  const tag = text.charAt(0);
  const rest = text.slice(1);
  if (tag === "E") return fail(violation(DataCode.CODEC_ERROR, "codec", rest));
  if (tag === "V") return fail(violation(DataCode.CODEC_OUTPUT, "codec", rest));
  if (tag === "S") {
    const detail = `result of ${rest} characters > limit of ${limits.maxOutputChars}`;
    return fail(violation(DataCode.CODEC_OUTPUT, "codec", detail));
  }
  if (tag !== "R") return fail(violation(DataCode.CODEC_OUTPUT, "codec", "no result"));
  return readResult(JSON.parse(rest) as unknown, limits);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The TTN contract: `errors` non-empty means the payload was not decoded, whatever `data` holds. */
function readResult(out: unknown, limits: SandboxLimits): CodecResult {
  if (!isObj(out)) return outputFail("result is not an object");
  const errors = out.errors;
  if (errors !== undefined && !Array.isArray(errors)) return outputFail("errors is not an array");
  if (errors && errors.length > 0) return fail(codecErrors(errors.map(String)));
  if (!isObj(out.data)) return outputFail("data is not an object");
  if (depthOf(out.data, limits.maxDepth + 1) > limits.maxDepth) {
    return outputFail(`data nests deeper than ${limits.maxDepth} levels`);
  }
  const warnings = Array.isArray(out.warnings) ? out.warnings.map(String) : [];
  return { ok: true, data: out.data, warnings };
}

function codecErrors(errors: string[]): Violation {
  const detail = clip(errors.join("; "));
  const length = errors.every((e) => e.toLowerCase().startsWith(LENGTH_ERROR_PREFIX));
  return violation(length ? DataCode.DECODE_LENGTH : DataCode.CODEC_ERROR, "bytes", detail);
}

/** Depth of nesting, stopping at `cap` so that a hostile result cannot make this recurse far. */
function depthOf(value: unknown, cap: number): number {
  if (typeof value !== "object" || value === null || cap <= 0) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, cap - 1));
    if (deepest >= cap) break;
  }
  return deepest + 1;
}

function outputFail(detail: string): CodecResult {
  return fail(violation(DataCode.CODEC_OUTPUT, "codec", detail));
}

function fail(v: Violation): CodecResult {
  return { ok: false, violation: v };
}
