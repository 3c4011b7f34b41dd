import { describe, expect, it } from "vitest";
import type { Commune } from "../../web/src/map/data.ts";
import { countConditions, matches, NO_FILTER } from "../../web/src/map/filters.ts";
import { convexHull, type LatLon } from "../../web/src/map/hull.ts";
import { fromLocalField, instantFromUrl, toLocalField, urlWithInstant } from "../../web/src/map/instant.ts";
import { communeOutlines } from "../../web/src/map/outlines.ts";
import type { MapDevice } from "../../web/src/map/types.ts";

/** The map's pure parts: communes' outlines, filters and counts, the instant in the address. */

const device = (id: string, commune: string, lat: number, lon: number, extra: Partial<MapDevice> = {}) =>
  ({
    id,
    domain: "streetlight",
    commune,
    operator: "lumiere-est",
    lat,
    lon,
    condition: "ok",
    readingTime: null,
    ...extra,
  }) satisfies MapDevice;

describe("convex hull", () => {
  it("keeps the corners and drops the points inside and on the edges", () => {
    const points: LatLon[] = [
      [0, 0],
      [0, 2],
      [2, 2],
      [2, 0],
      [1, 1],
      [0, 1],
      [0.5, 1.5],
      [2, 2],
    ];
    const hull = convexHull(points);
    expect(hull).toHaveLength(4);
    expect(new Set(hull.map((p) => p.join(",")))).toEqual(new Set(["0,0", "0,2", "2,2", "2,0"]));
  });

  it("gives what there is below three distinct points", () => {
    expect(convexHull([])).toEqual([]);
    expect(
      convexHull([
        [1, 1],
        [1, 1],
      ]),
    ).toEqual([[1, 1]]);
  });
});

describe("communes' outlines", () => {
  const devices = [
    device("a", "54521", 49.4, 5.9),
    device("b", "54521", 49.5, 5.9),
    device("c", "54521", 49.45, 6.0),
    device("d", "57038", 49.4, 5.9),
  ];

  it("draws around a commune's devices when none was imported, named from the territory", () => {
    const communes: Commune[] = [{ code: "54521", name: "Thil" }];
    const outlines = communeOutlines(communes, devices);
    expect(outlines).toHaveLength(1);
    expect(outlines[0]?.name).toBe("Thil");
    expect(outlines[0]?.drawnAroundDevices).toBe(true);
    expect(outlines[0]?.rings[0]).toHaveLength(3);
  });

  it("uses the imported outline, turned from [lon, lat] to [lat, lon]", () => {
    const communes: Commune[] = [
      {
        code: "57038",
        name: "Audun-le-Tiche",
        outline: {
          type: "Polygon",
          coordinates: [
            [
              [5.9, 49.4],
              [6.0, 49.4],
              [6.0, 49.5],
              [5.9, 49.4],
            ],
          ],
        },
      },
    ];
    const outline = communeOutlines(communes, devices).find((o) => o.code === "57038");
    expect(outline?.drawnAroundDevices).toBe(false);
    expect(outline?.rings[0]?.[1]).toEqual([49.4, 6.0]);
  });
});

describe("filters and counts", () => {
  it("counts by condition the devices the filters let through", () => {
    const devices = [
      device("a", "54521", 0, 0, { condition: "fault" }),
      device("b", "54521", 0, 0, { domain: "water_pressure", operator: "eaux-alzette" }),
      device("c", "57038", 0, 0, { condition: "silent" }),
    ];
    expect(countConditions(devices.filter((d) => matches(d, NO_FILTER)))).toEqual({
      ok: 1,
      fault: 1,
      silent: 1,
      unknown: 0,
    });
    const inThil = devices.filter((d) => matches(d, { ...NO_FILTER, commune: "54521" }));
    expect(inThil.map((d) => d.id)).toEqual(["a", "b"]);
    expect(devices.filter((d) => matches(d, { ...NO_FILTER, operator: "eaux-alzette" }))).toHaveLength(1);
    expect(devices.filter((d) => matches(d, { ...NO_FILTER, condition: "fault" }))).toHaveLength(1);
  });
});

describe("the instant in the address", () => {
  it("reads, writes and removes ?at=, keeping the other parameters", () => {
    const at = new Date("2026-03-01T10:00:00.000Z");
    expect(instantFromUrl({ search: "?at=2026-03-01T10:00:00.000Z" })?.getTime()).toBe(at.getTime());
    expect(instantFromUrl({ search: "?at=nonsense" })).toBeNull();
    expect(instantFromUrl({ search: "" })).toBeNull();
    expect(urlWithInstant({ pathname: "/carte", search: "?lang=en" }, at)).toBe(
      "/carte?lang=en&at=2026-03-01T10%3A00%3A00.000Z",
    );
    expect(urlWithInstant({ pathname: "/carte", search: "?lang=en&at=x" }, null)).toBe("/carte?lang=en");
  });

  it("goes to and from a datetime-local field in local time", () => {
    const at = new Date(2026, 2, 1, 9, 5, 7);
    expect(toLocalField(at)).toBe("2026-03-01T09:05:07");
    expect(fromLocalField("2026-03-01T09:05:07")?.getTime()).toBe(at.getTime());
    expect(fromLocalField("2026-03-01T09:05")?.getTime()).toBe(new Date(2026, 2, 1, 9, 5).getTime());
    expect(fromLocalField("")).toBeNull();
    expect(fromLocalField("tomorrow")).toBeNull();
  });
});
