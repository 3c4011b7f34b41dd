/** A straight line fitted by least squares: `y = intercept + slope * x`. */
export interface LineFit {
  slope: number;
  intercept: number;
  points: number;
}

/**
 * The least-squares line through the points; undefined with fewer than two points or when
 * every x is the same (no slope can be told).
 */
export function fitLine(points: readonly { x: number; y: number }[]): LineFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  // Centred on the first x: epoch milliseconds squared would lose precision.
  const x0 = points[0]?.x ?? 0;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x - x0;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = p.x - x0 - mx;
    sxy += dx * (p.y - my);
    sxx += dx * dx;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * (mx + x0), points: n };
}

/** Runs `task` on every item with at most `limit` running at once; results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
