/**
 * The convex hull of points (Andrew's monotone chain), to draw a commune's outline around its
 * devices when the territory has no outline of it. Points are [lat, lon]; the hull comes back
 * counter-clockwise without repeating its first point. Fewer than three distinct points give
 * what there is.
 */
export type LatLon = [number, number];

export function convexHull(points: readonly LatLon[]): LatLon[] {
  const sorted = uniqueSorted(points);
  if (sorted.length < 3) return sorted;
  const lower = chain(sorted);
  const upper = chain([...sorted].reverse());
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

function uniqueSorted(points: readonly LatLon[]): LatLon[] {
  const sorted = [...points].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return sorted.filter((p, i) => {
    const before = sorted[i - 1];
    return !before || before[0] !== p[0] || before[1] !== p[1];
  });
}

/** One half of the hull: keeps only left turns (x is the longitude, y the latitude). */
function chain(points: readonly LatLon[]): LatLon[] {
  const out: LatLon[] = [];
  for (const p of points) {
    while (out.length >= 2 && cross(out[out.length - 2] as LatLon, out[out.length - 1] as LatLon, p) <= 0) {
      out.pop();
    }
    out.push(p);
  }
  return out;
}

function cross(o: LatLon, a: LatLon, b: LatLon): number {
  return (a[1] - o[1]) * (b[0] - o[0]) - (a[0] - o[0]) * (b[1] - o[1]);
}
