import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbPublicationStore } from "../../services/opendata/duckdb-publication-store.ts";
import { createMemoryPublicationStore } from "../../services/opendata/memory-publication-store.ts";
import type { ComputedFigure, PublicationStore } from "../../services/opendata/publication-store.ts";
import { publicationStoreConformance } from "../conformance/publication-store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-opendata-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(store: PublicationStore): Promise<PublicationStore> {
  await store.start();
  return store;
}

publicationStoreConformance("MemoryPublicationStore", () => started(createMemoryPublicationStore()));
publicationStoreConformance("DuckdbPublicationStore (:memory:)", () =>
  started(createDuckdbPublicationStore({ path: ":memory:" })),
);

const DATASET = "parking-occupancy-hourly";
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const AT = Date.UTC(2025, 2, 1);

/** `hours` × `places` figures, one in ten suppressed, values shifted by `shift`. */
function release(hours: number, places: number, shift = 0): ComputedFigure[] {
  const figures: ComputedFigure[] = [];
  for (let h = 0; h < hours; h++) {
    for (let p = 0; p < places; p++) {
      const hidden = (h + p) % 10 === 0;
      figures.push({
        period: T0 + h * HOUR,
        place: `010${String(p).padStart(2, "0")}`,
        value: hidden ? null : (h * places + p + shift) / 4,
        devices: hidden ? null : 3 + (p % 7),
        status: hidden ? "suppressed-primary" : "published",
      });
    }
  }
  return figures;
}

describe("DuckdbPublicationStore on a file", () => {
  it("keeps figures, versions, approvals and downloads across close() and start()", async () => {
    const path = join(dir, "nested", "opendata.duckdb");
    const first = await started(createDuckdbPublicationStore({ path }));
    await first.record(DATASET, release(24, 5), "first", AT);
    await first.record(DATASET, release(1, 5, 1), "late data", AT + HOUR);
    await first.approve({ dataset: DATASET, definition: "sha256:abc", by: "dpo", at: AT });
    await first.countDownload(DATASET, "csv");
    const before = {
      figures: await first.figures({ dataset: DATASET, limit: 1000 }),
      changelog: await first.changelog(DATASET, 1000),
      summary: await first.summary(DATASET),
    };
    await first.close();
    expect(existsSync(path)).toBe(true);

    const second = await started(createDuckdbPublicationStore({ path }));
    expect(await second.figures({ dataset: DATASET, limit: 1000 })).toEqual(before.figures);
    expect(await second.changelog(DATASET, 1000)).toEqual(before.changelog);
    expect(await second.summary(DATASET)).toEqual(before.summary);
    expect(before.summary).toMatchObject({ figures: 120, revisions: 4 });
    expect(await second.approval(DATASET)).toEqual({
      dataset: DATASET,
      definition: "sha256:abc",
      by: "dpo",
      at: AT,
    });
    expect(await second.downloads(DATASET)).toEqual({ csv: 1 });
    // Ids and versions continue where the first store stopped.
    const next = await second.record(
      DATASET,
      [{ period: T0, place: "01001", value: 7, devices: 4, status: "published" }],
      "replay",
      AT + 2 * HOUR,
    );
    expect(next.map((v) => v.version)).toEqual([3]);
    expect(next[0]?.id).toBeGreaterThan(before.changelog[0]?.id ?? Number.POSITIVE_INFINITY);
    await second.close();
  });

  it("records 20,000 figures in one call (the time is printed, not asserted)", async () => {
    const store = await started(createDuckdbPublicationStore({ path: join(dir, "large.duckdb") }));
    const figures = release(1000, 20);
    const times: string[] = [];
    const timed = async (label: string, job: () => Promise<number>) => {
      const start = performance.now();
      const written = await job();
      times.push(`${label}: ${written} rows in ${(performance.now() - start).toFixed(0)} ms`);
      return written;
    };
    expect(
      await timed("first release", async () => (await store.record(DATASET, figures, "x", AT)).length),
    ).toBe(20_000);
    expect(
      await timed("unchanged", async () => (await store.record(DATASET, figures, "x", AT + 1)).length),
    ).toBe(0);
    const shifted = release(1000, 20, 1);
    const revised = await timed(
      "all revised",
      async () => (await store.record(DATASET, shifted, "y", AT + 2)).length,
    );
    expect(revised).toBe(18_000);
    const page = await timed("filtered page of 100", async () => {
      const q = {
        dataset: DATASET,
        from: T0 + 100 * HOUR,
        places: ["01003", "01017"],
        limit: 100,
        offset: 1000,
      };
      return (await store.figures(q)).length;
    });
    expect(page).toBe(100);
    console.log(`DuckdbPublicationStore, 20,000 figures:\n  ${times.join("\n  ")}`);
    await store.close();
  });
});
