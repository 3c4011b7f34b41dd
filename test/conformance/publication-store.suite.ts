import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ComputedFigure,
  FigureStatus,
  FigureVersion,
  PublicationStore,
} from "../../services/opendata/publication-store.ts";

/**
 * The behaviour every publication store owes Lanterne, asserted only through the port, so that
 * the in-memory twin and the DuckDB adapter run the same suite (as alert-store.suite.ts does for
 * alerts). `make` returns a started, empty store; the suite closes it after each test.
 */

const DATASET = "parking-occupancy-daily";
const OTHER = "waste-fill-weekly";
const DAY = 86_400_000;
const D0 = Date.UTC(2025, 0, 6);
const AT = Date.UTC(2025, 1, 1, 6);

function fig(day: number, place: string, value: number | null, devices: number | null = 12): ComputedFigure {
  return { period: D0 + day * DAY, place, value, devices, status: "published" };
}

function suppressed(
  day: number,
  place: string,
  status: FigureStatus = "suppressed-secondary",
): ComputedFigure {
  return { period: D0 + day * DAY, place, value: null, devices: null, status };
}

/** Which (place, day) a page holds, in its order. */
function keys(figures: readonly { period: number; place: string }[]): string[] {
  return figures.map((f) => `${f.place}@${(f.period - D0) / DAY}`);
}

export function publicationStoreConformance(name: string, make: () => Promise<PublicationStore>): void {
  describe(`${name} conforms to PublicationStore`, () => {
    let store: PublicationStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    describe("record", () => {
      it("writes version 1 as the first publication, whatever reason the release gives", async () => {
        const written = await store.record(
          DATASET,
          [fig(0, "01053", 41.5), fig(0, "01004", 7)],
          "late data",
          AT,
        );
        expect(written).toEqual([
          {
            id: expect.any(Number),
            dataset: DATASET,
            period: D0,
            place: "01053",
            value: 41.5,
            devices: 12,
            status: "published",
            version: 1,
            publishedAt: AT,
            reason: "first publication",
          },
          expect.objectContaining({ place: "01004", version: 1, reason: "first publication" }),
        ]);
        expect(written[0]).not.toHaveProperty("previous");
        const [a, b] = written.map((v) => v.id);
        expect(b).toBeGreaterThan(a ?? Number.POSITIVE_INFINITY);
      });

      it("writes nothing when a release is recorded again unchanged", async () => {
        const release = [fig(0, "01053", 41.5), suppressed(0, "01004"), fig(1, "01053", 0, 0)];
        await store.record(DATASET, release, "first", AT);
        expect(await store.record(DATASET, release, "replay", AT + DAY)).toEqual([]);
        expect(await store.changelog(DATASET, 100)).toHaveLength(3);
        const figures = await store.figures({ dataset: DATASET, limit: 10 });
        expect(figures.every((f) => f.version === 1 && f.publishedAt === AT)).toBe(true);
      });

      it("writes the next version with the release's reason and the version it replaces", async () => {
        await store.record(DATASET, [fig(0, "01053", 41.5), fig(0, "01004", 7)], "first", AT);
        const written = await store.record(
          DATASET,
          [fig(0, "01053", 43.25, 13), fig(0, "01004", 7)],
          "late data",
          AT + DAY,
        );
        expect(written).toEqual([
          expect.objectContaining({
            place: "01053",
            version: 2,
            value: 43.25,
            devices: 13,
            publishedAt: AT + DAY,
            reason: "late data",
            previous: { value: 41.5, devices: 12, status: "published" },
          }),
        ]);
        const [current] = await store.figures({ dataset: DATASET, places: ["01053"], limit: 10 });
        expect(current).toEqual({
          dataset: DATASET,
          period: D0,
          place: "01053",
          value: 43.25,
          devices: 13,
          status: "published",
          version: 2,
          publishedAt: AT + DAY,
        });
      });

      it("counts value, devices and status, values compared exactly", async () => {
        await store.record(DATASET, [fig(0, "a", 0.3), fig(0, "b", 5), fig(0, "c", 5)], "first", AT);
        const written = await store.record(
          DATASET,
          [fig(0, "a", 0.1 + 0.2), fig(0, "b", 5, 13), { ...fig(0, "c", 5), status: "suppressed-primary" }],
          "correction: rounding",
          AT + 1,
        );
        expect(written.map((v) => [v.place, v.version])).toEqual([
          ["a", 2],
          ["b", 2],
          ["c", 2],
        ]);
        expect(written[0]?.value).toBe(0.1 + 0.2);
      });

      it("records a published figure becoming suppressed, and back, as new versions", async () => {
        await store.record(DATASET, [fig(0, "01053", 41.5)], "first", AT);
        const hidden = await store.record(DATASET, [suppressed(0, "01053")], "late data", AT + DAY);
        expect(hidden).toEqual([
          expect.objectContaining({
            version: 2,
            value: null,
            devices: null,
            status: "suppressed-secondary",
            previous: { value: 41.5, devices: 12, status: "published" },
          }),
        ]);
        expect(await store.record(DATASET, [suppressed(0, "01053")], "replay", AT + 2 * DAY)).toEqual([]);
        const shown = await store.record(DATASET, [fig(0, "01053", 41.5)], "late data", AT + 3 * DAY);
        expect(shown).toEqual([
          expect.objectContaining({
            version: 3,
            value: 41.5,
            previous: { value: null, devices: null, status: "suppressed-secondary" },
          }),
        ]);
      });

      it("tells null from zero, and null equals null", async () => {
        await store.record(DATASET, [fig(0, "a", 0, 0), fig(0, "b", null, null)], "first", AT);
        expect(await store.record(DATASET, [fig(0, "b", null, null)], "replay", AT + 1)).toEqual([]);
        const written = await store.record(
          DATASET,
          [fig(0, "a", null, 0), fig(0, "b", 0, null)],
          "fix",
          AT + 2,
        );
        expect(written.map((v) => [v.place, v.value, v.previous?.value])).toEqual([
          ["a", null, 0],
          ["b", 0, null],
        ]);
        const again = await store.record(DATASET, [fig(0, "a", null, null)], "fix", AT + 3);
        expect(again.map((v) => [v.version, v.devices, v.previous?.devices])).toEqual([[3, null, 0]]);
      });

      it("counts a figure given twice in one release once, as its last occurrence", async () => {
        const written = await store.record(
          DATASET,
          [fig(0, "a", 1), fig(0, "b", 2), fig(0, "a", 3)],
          "x",
          AT,
        );
        expect(written.map((v) => [v.place, v.version, v.value])).toEqual([
          ["b", 1, 2],
          ["a", 1, 3],
        ]);
      });

      it("numbers versions across the whole store in the order they are written", async () => {
        const first = await store.record(DATASET, [fig(0, "a", 1), fig(1, "a", 1)], "x", AT);
        const second = await store.record(OTHER, [fig(0, "a", 1)], "x", AT + 1);
        const third = await store.record(DATASET, [fig(0, "a", 2)], "x", AT + 2);
        const ids = [...first, ...second, ...third].map((v) => v.id);
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
        expect(new Set(ids).size).toBe(4);
        expect(await store.record(DATASET, [], "x", AT + 3)).toEqual([]);
      });
    });

    describe("figures", () => {
      /** Three days × three places, given out of order; day 1 of "01004" revised. */
      async function recorded(): Promise<void> {
        const days = [2, 0, 1];
        const places = ["01053", "01004", "01450"];
        await store.record(
          DATASET,
          days.flatMap((d) => places.map((p) => fig(d, p, d * 10 + places.indexOf(p)))),
          "first",
          AT,
        );
        await store.record(DATASET, [fig(1, "01004", 99)], "late data", AT + DAY);
      }

      it("returns current versions ordered by period then place", async () => {
        await recorded();
        const all = await store.figures({ dataset: DATASET, limit: 100 });
        expect(keys(all)).toEqual([
          "01004@0",
          "01053@0",
          "01450@0",
          "01004@1",
          "01053@1",
          "01450@1",
          "01004@2",
          "01053@2",
          "01450@2",
        ]);
        expect(all[3]).toMatchObject({ value: 99, version: 2, publishedAt: AT + DAY });
        expect(all.filter((f) => f.version === 1)).toHaveLength(8);
      });

      it("filters periods from inclusive to exclusive, and places", async () => {
        await recorded();
        const query = { dataset: DATASET, from: D0 + DAY, to: D0 + 2 * DAY };
        expect(keys(await store.figures({ ...query, limit: 100 }))).toEqual([
          "01004@1",
          "01053@1",
          "01450@1",
        ]);
        const placed = { dataset: DATASET, from: D0 + DAY, places: ["01450", "01053", "99999"] };
        expect(keys(await store.figures({ ...placed, limit: 100 }))).toEqual([
          "01053@1",
          "01450@1",
          "01053@2",
          "01450@2",
        ]);
        expect(await store.countFigures(query)).toBe(3);
        expect(await store.countFigures(placed)).toBe(4);
        expect(await store.countFigures({ dataset: DATASET, to: D0 })).toBe(0);
      });

      it("selects nothing for an empty list of places", async () => {
        await recorded();
        expect(await store.figures({ dataset: DATASET, places: [], limit: 100 })).toEqual([]);
        expect(await store.countFigures({ dataset: DATASET, places: [] })).toBe(0);
      });

      it("pages with limit and offset, the count ignoring the paging", async () => {
        await recorded();
        const pages: string[][] = [];
        for (let offset = 0; offset < 12; offset += 4) {
          pages.push(keys(await store.figures({ dataset: DATASET, limit: 4, offset })));
        }
        expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
        expect(pages.flat()).toEqual(keys(await store.figures({ dataset: DATASET, limit: 100 })));
        expect(await store.figures({ dataset: DATASET, limit: 0 })).toEqual([]);
        expect(await store.countFigures({ dataset: DATASET })).toBe(9);
      });
    });

    describe("changelog", () => {
      it("lists every version newest first, paged below an id", async () => {
        await store.record(DATASET, [fig(0, "a", 1), fig(0, "b", 1)], "first", AT);
        await store.record(DATASET, [fig(0, "a", 2)], "late data", AT + 1);
        await store.record(DATASET, [fig(0, "a", 3), fig(0, "b", 2)], "replay", AT + 2);
        const all = await store.changelog(DATASET, 100);
        expect(all.map((v) => [v.place, v.version, v.reason])).toEqual([
          ["b", 2, "replay"],
          ["a", 3, "replay"],
          ["a", 2, "late data"],
          ["b", 1, "first publication"],
          ["a", 1, "first publication"],
        ]);
        expect(all[1]?.previous).toEqual({ value: 2, devices: 12, status: "published" });
        expect(all[4]).not.toHaveProperty("previous");

        const pages: FigureVersion[] = [];
        let page = await store.changelog(DATASET, 2);
        while (page.length > 0) {
          pages.push(...page);
          page = await store.changelog(DATASET, 2, page[page.length - 1]?.id);
        }
        expect(pages).toEqual(all);
      });

      it("answers what the releases returned", async () => {
        const written = [
          ...(await store.record(DATASET, [fig(0, "a", 1), suppressed(1, "a")], "first", AT)),
          ...(await store.record(DATASET, [fig(0, "a", 2.5, null)], "correction: sensor", AT + 1)),
        ];
        expect(await store.changelog(DATASET, 100)).toEqual(written.reverse());
      });
    });

    describe("summary", () => {
      it("is empty for a dataset never recorded", async () => {
        expect(await store.summary(DATASET)).toEqual({ dataset: DATASET, figures: 0, revisions: 0 });
      });

      it("counts figures and revisions, with the first and last periods and the last change", async () => {
        await store.record(DATASET, [fig(3, "a", 1), fig(1, "a", 1), fig(1, "b", 1)], "first", AT);
        await store.record(DATASET, [fig(1, "a", 2)], "late data", AT + 5);
        await store.record(DATASET, [fig(1, "a", 3), fig(3, "a", 1)], "late data", AT + 9);
        await store.record(DATASET, [fig(1, "a", 3)], "replay", AT + 20);
        expect(await store.summary(DATASET)).toEqual({
          dataset: DATASET,
          figures: 3,
          first: D0 + DAY,
          last: D0 + 3 * DAY,
          modified: AT + 9,
          revisions: 2,
        });
      });
    });

    describe("approvals", () => {
      it("is undefined when the dataset was never approved", async () => {
        expect(await store.approval(DATASET)).toBeUndefined();
      });

      it("answers the newest approval, whatever its definition", async () => {
        await store.approve({ dataset: DATASET, definition: "sha256:aaa", by: "dpo", at: AT });
        await store.approve({ dataset: DATASET, definition: "sha256:bbb", by: "mayor", at: AT + DAY });
        await store.approve({ dataset: OTHER, definition: "sha256:ccc", by: "dpo", at: AT + 2 * DAY });
        expect(await store.approval(DATASET)).toEqual({
          dataset: DATASET,
          definition: "sha256:bbb",
          by: "mayor",
          at: AT + DAY,
        });
        await store.approve({ dataset: DATASET, definition: "sha256:aaa", by: "dpo", at: AT + 3 * DAY });
        expect(await store.approval(DATASET)).toMatchObject({ definition: "sha256:aaa", at: AT + 3 * DAY });
      });
    });

    describe("downloads", () => {
      it("counts downloads per format and per dataset", async () => {
        expect(await store.downloads(DATASET)).toEqual({});
        await store.countDownload(DATASET, "csv");
        await store.countDownload(DATASET, "csv");
        await store.countDownload(DATASET, "json");
        await store.countDownload(OTHER, "csv");
        expect(await store.downloads(DATASET)).toEqual({ csv: 2, json: 1 });
        expect(await store.downloads(OTHER)).toEqual({ csv: 1 });
      });

      it("loses no download counted concurrently", async () => {
        await Promise.all(Array.from({ length: 20 }, () => store.countDownload(DATASET, "geojson")));
        expect(await store.downloads(DATASET)).toEqual({ geojson: 20 });
      });
    });

    describe("concurrency", () => {
      it("numbers the versions of two concurrent releases one after the other", async () => {
        await store.record(DATASET, [fig(0, "a", 1), fig(0, "b", 1)], "first", AT);
        const [x, y] = await Promise.all([
          store.record(DATASET, [fig(0, "a", 2), fig(0, "b", 2), fig(0, "c", 1)], "late data", AT + 1),
          store.record(DATASET, [fig(0, "b", 3), fig(0, "c", 1), fig(0, "d", 1)], "replay", AT + 2),
        ]);
        const written = [...(x ?? []), ...(y ?? [])];
        const versions = (place: string) => written.filter((v) => v.place === place).map((v) => v.version);
        expect(versions("a")).toEqual([2]);
        expect(versions("b").sort()).toEqual([2, 3]);
        // "c" is identical in both releases: whichever comes second writes nothing.
        expect(versions("c")).toEqual([1]);
        expect(versions("d")).toEqual([1]);
        expect(new Set(written.map((v) => v.id)).size).toBe(written.length);
        const changelog = await store.changelog(DATASET, 100);
        expect(changelog).toHaveLength(2 + written.length);
        const b = await store.figures({ dataset: DATASET, places: ["b"], limit: 1 });
        expect(b[0]?.version).toBe(3);
      });

      it("gives many concurrent revisions of one figure consecutive versions", async () => {
        const releases = Array.from({ length: 10 }, (_, i) =>
          store.record(DATASET, [fig(0, "a", i)], `replay ${i}`, AT + i),
        );
        const written = (await Promise.all(releases)).flat();
        expect(written.map((v) => v.version).sort((p, q) => p - q)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        const log = await store.changelog(DATASET, 100);
        for (let i = 0; i + 1 < log.length; i++) {
          expect(log[i]?.previous?.value).toBe(log[i + 1]?.value);
        }
        expect(await store.summary(DATASET)).toMatchObject({ figures: 1, revisions: 9 });
      });
    });

    describe("datasets", () => {
      it("keeps each dataset's figures, versions and summary apart", async () => {
        await store.record(DATASET, [fig(0, "a", 1), fig(1, "a", 1)], "first", AT);
        await store.record(DATASET, [fig(0, "a", 2)], "late data", AT + 1);
        const other = await store.record(OTHER, [fig(0, "a", 1)], "first", AT + 2);
        expect(other.map((v) => v.version)).toEqual([1]);
        expect(await store.figures({ dataset: OTHER, limit: 10 })).toEqual([
          expect.objectContaining({ dataset: OTHER, value: 1, version: 1 }),
        ]);
        expect(await store.countFigures({ dataset: DATASET })).toBe(2);
        expect((await store.changelog(OTHER, 10)).map((v) => v.dataset)).toEqual([OTHER]);
        expect(await store.summary(OTHER)).toEqual({
          dataset: OTHER,
          figures: 1,
          first: D0,
          last: D0,
          modified: AT + 2,
          revisions: 0,
        });
        expect(await store.figures({ dataset: "unknown", limit: 10 })).toEqual([]);
      });
    });
  });
}
