import Supercluster, { type PointFeature } from "supercluster";
import { type Condition, type Counts, emptyCounts, type MapDevice } from "./types.ts";

/**
 * Grouping the devices for a view of the map: a spatial index built once per set of devices
 * (supercluster, a k-d tree per zoom level), then, for a box and a zoom, a few hundred groups
 * whatever the number of devices, so that 100,000 of them stay fluid. Each group carries how
 * many devices of each condition it holds, so that it can show its worst.
 */

/** [west, south, east, north] in degrees. */
export type Bbox = [number, number, number, number];

/** Beyond this zoom every device is shown alone. */
export const MAX_CLUSTER_ZOOM = 17;

export type MapItem =
  | { kind: "device"; lat: number; lon: number; device: MapDevice }
  | { kind: "cluster"; id: number; lat: number; lon: number; counts: Counts; count: number };

interface PointProps {
  index: number;
  ok: number;
  fault: number;
  silent: number;
  unknown: number;
}

type ClusterProps = Omit<PointProps, "index">;

export interface ClusterIndex {
  /** The groups and single devices of the box at this zoom. */
  items(bbox: Bbox, zoom: number): MapItem[];
  /** The zoom at which a group comes apart. */
  expansionZoom(clusterId: number): number;
}

export function createClusterIndex(devices: readonly MapDevice[]): ClusterIndex {
  const index = new Supercluster<PointProps, ClusterProps>({
    radius: 60,
    maxZoom: MAX_CLUSTER_ZOOM - 1,
    map: (p) => ({ ok: p.ok, fault: p.fault, silent: p.silent, unknown: p.unknown }),
    reduce: (into, p) => {
      into.ok += p.ok;
      into.fault += p.fault;
      into.silent += p.silent;
      into.unknown += p.unknown;
    },
  });
  index.load(devices.map((device, i) => point(device, i)));
  return {
    items(bbox, zoom) {
      return index.getClusters(bbox, Math.round(zoom)).flatMap((feature): MapItem[] => {
        const [lon, lat] = feature.geometry.coordinates as [number, number];
        const p = feature.properties;
        if ("cluster" in p && p.cluster) {
          const counts: Counts = { ok: p.ok, fault: p.fault, silent: p.silent, unknown: p.unknown };
          return [{ kind: "cluster", id: p.cluster_id, lat, lon, counts, count: p.point_count }];
        }
        const device = devices[(p as PointProps).index];
        return device ? [{ kind: "device", lat, lon, device }] : [];
      });
    },
    expansionZoom(clusterId) {
      return index.getClusterExpansionZoom(clusterId);
    },
  };
}

function point(device: MapDevice, index: number): PointFeature<PointProps> {
  const one = (c: Condition) => (device.condition === c ? 1 : 0);
  return {
    type: "Feature",
    geometry: { type: "Point", coordinates: [device.lon, device.lat] },
    properties: { index, ok: one("ok"), fault: one("fault"), silent: one("silent"), unknown: one("unknown") },
  };
}

/** How many devices of each condition the items hold (groups and single devices together). */
export function countItems(items: readonly MapItem[]): Counts {
  const counts = emptyCounts();
  for (const item of items) {
    if (item.kind === "device") counts[item.device.condition] += 1;
    else for (const c of Object.keys(counts) as Condition[]) counts[c] += item.counts[c];
  }
  return counts;
}
