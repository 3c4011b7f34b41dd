import { parentPort, workerData } from "node:worker_threads";
import { createDuckdbStore, type DuckdbStoreConfig } from "./duckdb-store.ts";

/**
 * The DuckDB store's own thread (see duckdb-worker-store.ts). It answers `{id, method, args}`
 * with `{id, result}` or `{id, error}`; errors keep their code, status and retryable flag.
 */
const store = createDuckdbStore(workerData as DuckdbStoreConfig);
const port = parentPort;
if (!port) throw new Error("duckdb-worker.ts runs as a worker thread only");

type Call = { id: number; method: string; args: unknown[] };

port.on("message", (call: Call) => {
  const fn = (store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[call.method];
  if (typeof fn !== "function") {
    port.postMessage({ id: call.id, error: { message: `no method ${call.method}`, code: "ERR_INTERNAL" } });
    return;
  }
  fn.apply(store, call.args).then(
    (result) => port.postMessage({ id: call.id, result }),
    (err: Error & { code?: string; statusCode?: number; retryable?: boolean }) =>
      port.postMessage({
        id: call.id,
        error: { message: err.message, code: err.code, statusCode: err.statusCode, retryable: err.retryable },
      }),
  );
});
