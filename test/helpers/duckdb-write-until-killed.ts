/**
 * Child process of the DuckDB durability test. Opens the store at argv[2], keeps one quarantine
 * entry, then writes batches of `argv[3]` observations forever, printing "acked <batches>" after
 * each write resolves. The parent kills it with SIGKILL mid-stream: no close(), no checkpoint,
 * no exit handler, so whatever survives was made durable by the resolved promises alone.
 */
import type { Observation } from "../../services/domain/types.ts";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";

const path = process.argv[2] ?? "";
const batchSize = Number(process.argv[3] ?? "500");
const T0 = Date.UTC(2025, 0, 6);

function batch(n: number): Observation[] {
  return Array.from({ length: batchSize }, (_, i) => ({
    deviceId: `tank-${i % 50}`,
    time: T0 + n * batchSize + i,
    domain: "water",
    commune: "01053",
    ownerId: "ccphva",
    operatorId: "op-a",
    contract: "water@1",
    values: { pressure_bar: i / 10, flow_lps: -i, status: `ok ${n}`, alarm: i % 2 === 0 },
  }));
}

const store = createDuckdbStore({ path });
await store.start();
await store.addQuarantine([
  { receivedAt: T0, operatorId: "op-a", source: "mqtt", raw: "{", truncated: false, reasons: [] },
]);
process.stdout.write("acked 0\n");
for (let n = 1; ; n++) {
  await store.write(batch(n));
  process.stdout.write(`acked ${n}\n`);
}
