import * as L from "leaflet";

/**
 * A circle marker drawn as a circle, a square or a triangle, so that an outage's state shows by
 * its shape as well as its colour. It stays a CircleMarker (a fixed size in pixels, drawn by the
 * map's renderer), so thousands of them cost one canvas, not thousands of elements. Leaflet has no
 * public hook for a marker's outline: the path is traced the way its renderers trace a circle
 * (`_updateCircle` in Leaflet 1.9's L.SVG and L.Canvas), as plugins such as leaflet-svg-shape-markers do.
 */
export type Shape = "circle" | "square" | "triangle";

interface Drawn {
  _point: L.Point;
  _radius: number;
  _renderer: unknown;
  _empty(): boolean;
}

interface CanvasInternals {
  _drawing: boolean;
  _ctx: CanvasRenderingContext2D;
  _fillStroke(ctx: CanvasRenderingContext2D, layer: L.Path): void;
}

interface SvgInternals {
  _setPath(layer: L.Path, d: string): void;
}

/** The shape's corners around p, at a size that looks as large as a circle of radius r. */
export function corners(
  shape: Exclude<Shape, "circle">,
  p: { x: number; y: number },
  r: number,
): Array<[number, number]> {
  if (shape === "square") {
    const s = r * 0.9;
    return [
      [p.x - s, p.y - s],
      [p.x + s, p.y - s],
      [p.x + s, p.y + s],
      [p.x - s, p.y + s],
    ];
  }
  const h = r * 1.25;
  return [
    [p.x, p.y - h],
    [p.x + h, p.y + h * 0.75],
    [p.x - h, p.y + h * 0.75],
  ];
}

export class ShapeMarker extends L.CircleMarker {
  constructor(
    at: L.LatLngExpression,
    readonly shape: Shape,
    options: L.CircleMarkerOptions,
  ) {
    super(at, options);
  }

  /** Leaflet calls this to draw the marker; a circle is left to Leaflet itself. */
  _updatePath(): void {
    const self = this as unknown as Drawn;
    const renderer = self._renderer;
    if (this.shape === "circle") {
      (renderer as { _updateCircle(layer: unknown): void })._updateCircle(this);
      return;
    }
    const points = self._empty() ? [] : corners(this.shape, self._point, Math.max(self._radius, 1));
    if (renderer instanceof L.Canvas) {
      const canvas = renderer as unknown as CanvasInternals;
      if (!canvas._drawing || points.length === 0) return;
      const ctx = canvas._ctx;
      ctx.beginPath();
      for (const [i, [x, y]] of points.entries()) {
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.closePath();
      canvas._fillStroke(ctx, this);
    } else {
      const d = points.length === 0 ? "M0 0" : `M${points.map(([x, y]) => `${x} ${y}`).join("L")}Z`;
      (renderer as unknown as SvgInternals)._setPath(this, d);
    }
  }
}
