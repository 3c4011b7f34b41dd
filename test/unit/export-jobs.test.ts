import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Principal } from "../../services/auth/principals.ts";
import type { ExportSources } from "../../services/clauses/bundle/export.ts";
import { ExportJobs } from "../../services/clauses/export-jobs.ts";
import { silentLogger } from "../../services/domain/logger.ts";

/**
 * One export at a time: while a job reads the stores, a second is refused (ERR_EXPORT_BUSY), and
 * once it is done the next one starts. The stores here are empty except for a readings scan held
 * open until the test lets it go.
 */
const dir = mkdtempSync(join(tmpdir(), "lanterne-export-jobs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* none<T>(): AsyncIterable<T[]> {}

function sources(gate: Promise<void>): ExportSources {
  return {
    store: {
      async *scanReadings() {
        await gate;
        yield [];
      },
      scanDeviceRollups: none,
      scanDeviceStateRollups: none,
      scanGroupRollups: none,
      scanGroupStateRollups: none,
      countValues: async () => 0,
      listQuarantine: async () => [],
      listViolations: async () => [],
    },
    alerts: { scanAlerts: none, scanHistory: none },
    clauses: {
      scanDeliveries: none,
      scanRefusals: none,
      listExemptions: async () => [],
      listBreaches: async () => [],
    },
    contracts: { all: () => [] },
    devices: { list: () => [] },
    owner: { id: "ccphva", name: "CCPHVA" },
    now: Date.now,
  };
}

describe("export jobs", () => {
  it("runs one export at a time, and the next once the first is done", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const jobs = new ExportJobs(sources(gate), dir, silentLogger, Date.now);
    const admin: Principal = { id: "admin", role: "admin" };
    const first = jobs.start(admin, { parquet: false });
    expect(first.state).toBe("running");
    expect(() => jobs.start(admin, {})).toThrow(
      expect.objectContaining({ code: "ERR_EXPORT_BUSY", statusCode: 429 }),
    );
    release();
    await jobs.idle();
    expect(jobs.get(admin, first.id).state).toBe("done");
    const second = jobs.start(admin, { parquet: false });
    await jobs.idle();
    expect(jobs.get(admin, second.id).state).toBe("done");
  });
});
