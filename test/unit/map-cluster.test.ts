import { describe, expect, it } from "vitest";
import { type Bbox, countItems, createClusterIndex, MAX_CLUSTER_ZOOM } from "../../web/src/map/cluster.ts";
import { CONDITIONS, type Condition, type MapDevice, total, worst } from "../../web/src/map/types.ts";

/**
 * The map's grouping: for any box and zoom, the groups and single devices add up to the devices
 * in the box, condition by condition, and a group shows its worst condition; with 100,000
 * devices the view of the whole territory is a handful of groups.
 */

/** A deterministic fleet spread over the demo territory's box (a small linear congruential generator). */
function fleet(n: number, seed = 7): MapDevice[] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const conditions: Condition[] = ["ok", "ok", "ok", "ok", "ok", "ok", "fault", "silent", "unknown"];
  return Array.from({ length: n }, (_, i) => ({
    id: `dev-${i}`,
    domain: i % 10 === 0 ? "water_pressure" : "streetlight",
    commune: String(54000 + (i % 8)),
    operator: i % 3 === 0 ? "eaux-alzette" : "lumiere-est",
    lat: 49.38 + next() * 0.14,
    lon: 5.85 + next() * 0.2,
    condition: conditions[Math.floor(next() * conditions.length)] ?? "ok",
    readingTime: null,
  }));
}

const WORLD: Bbox = [-180, -85, 180, 85];

function countIn(devices: MapDevice[], [w, s, e, n]: Bbox): Record<Condition, number> {
  const counts: Record<Condition, number> = { ok: 0, fault: 0, silent: 0, unknown: 0 };
  for (const d of devices) if (d.lon >= w && d.lon <= e && d.lat >= s && d.lat <= n) counts[d.condition] += 1;
  return counts;
}

describe("the map's grouping", () => {
  it("keeps every one of 100,000 devices at every zoom, condition by condition", () => {
    const devices = fleet(100_000);
    const index = createClusterIndex(devices);
    const expected = countIn(devices, WORLD);
    for (const zoom of [0, 8, 11, 13, 15]) {
      const items = index.items(WORLD, zoom);
      expect(countItems(items)).toEqual(expected);
    }
    // The whole territory at a city zoom is a few groups, not 100,000 markers.
    expect(index.items(WORLD, 11).length).toBeLessThan(200);
  });

  it("counts exactly the devices of a smaller box", () => {
    const devices = fleet(100_000, 11);
    const index = createClusterIndex(devices);
    const box: Bbox = [5.9, 49.4, 5.95, 49.45];
    // Groups are placed at their devices' mean, so a box's groups may hold devices just outside
    // it: at the highest zoom every device is alone and the count is exact.
    const items = index.items(box, MAX_CLUSTER_ZOOM);
    expect(items.every((i) => i.kind === "device")).toBe(true);
    expect(countItems(items)).toEqual(countIn(devices, box));
  });

  it("shows a group's worst condition, fault before silent before unknown before ok", () => {
    const base = fleet(4, 3).map((d) => ({ ...d, lat: 49.4, lon: 5.9 }));
    const mix = (conditions: Condition[]) =>
      createClusterIndex(base.map((d, i) => ({ ...d, condition: conditions[i] ?? "ok" }))).items(WORLD, 5);
    const [group] = mix(["ok", "unknown", "silent", "ok"]);
    expect(group?.kind).toBe("cluster");
    if (group?.kind !== "cluster") return;
    expect(worst(group.counts)).toBe("silent");
    expect(total(group.counts)).toBe(4);
    const [faulty] = mix(["ok", "fault", "silent", "unknown"]);
    expect(faulty?.kind === "cluster" && worst(faulty.counts)).toBe("fault");
    expect(CONDITIONS[0]).toBe("fault");
  });

  it("gives each device alone at the highest zoom, with its own record", () => {
    const devices = fleet(50, 5);
    const items = createClusterIndex(devices).items(WORLD, MAX_CLUSTER_ZOOM + 1);
    const ids = items.flatMap((i) => (i.kind === "device" ? [i.device.id] : []));
    expect(ids.sort()).toEqual(devices.map((d) => d.id).sort());
  });

  it("gives nothing for no device", () => {
    expect(createClusterIndex([]).items(WORLD, 10)).toEqual([]);
  });
});
