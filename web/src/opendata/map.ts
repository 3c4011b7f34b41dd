import * as L from "leaflet";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { dataset as words } from "../i18n/opendata.ts";
import { showNumber, showPeriod, showValue } from "./format.ts";
import { type FeatureCollection, isSuppressed, type PlaceFeature } from "./types.ts";

/**
 * The latest period's values by place (Leaflet, SVG): communes' outlines or points filled by
 * class of value, figures under statistical secrecy grey with a dashed edge, and each place's
 * name and value in its tooltip. No tile layer: the public map needs nothing from another site
 * and no staff-only configuration; the background is plain. Places without a geometry are
 * listed under the map. The legend gives each class's range in words.
 */

/** Light to dark, each step telling apart in grey too (ColorBrewer Blues). */
const CLASSES = ["#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"];
const SECRET = "#bdbdbd";
/** Past this many places, names and values show on hover only, not all at once. */
const PERMANENT_LABELS = 12;

export interface MapOptions {
  lang: Lang;
  unit: string;
  granularity: string;
}

export interface Classes {
  /** Upper bounds of each class (the last is the maximum). */
  breaks: number[];
  min: number;
}

/** Equal intervals between the smallest and the largest published value (at most five). */
export function classesOf(values: readonly number[]): Classes | null {
  if (values.length === 0) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const n = min === max ? 1 : Math.min(CLASSES.length, new Set(values).size);
  const step = (max - min) / n;
  return { min, breaks: Array.from({ length: n }, (_, i) => (i === n - 1 ? max : min + step * (i + 1))) };
}

export function classIndex(value: number, classes: Classes): number {
  const i = classes.breaks.findIndex((b) => value <= b);
  return i < 0 ? classes.breaks.length - 1 : i;
}

/** The colour of class i among n: spread over the palette, the darkest for the largest. */
function colour(i: number, n: number): string {
  const index = n === 1 ? CLASSES.length - 2 : Math.round((i * (CLASSES.length - 1)) / (n - 1));
  return CLASSES[index] ?? SECRET;
}

export function placeMap(
  container: HTMLElement,
  legend: HTMLElement,
  others: HTMLElement,
  collection: FeatureCollection,
  o: MapOptions,
): void {
  const features = collection.features;
  const placed = features.filter((f) => f.geometry !== null);
  const values = placed.flatMap((f) =>
    f.properties.value !== null && !isSuppressed(f.properties.status) ? [f.properties.value] : [],
  );
  const classes = classesOf(values);
  renderLegend(legend, classes, o);
  renderOthers(
    others,
    features.filter((f) => f.geometry === null),
    o,
  );
  if (placed.length === 0) {
    container.hidden = true;
    return;
  }
  const map = L.map(container, {
    attributionControl: false,
    zoomControl: false,
    zoomSnap: 0.25,
  });
  L.control
    .zoom({
      zoomInTitle: o.lang === "fr" ? "Zoomer" : "Zoom in",
      zoomOutTitle: o.lang === "fr" ? "Dézoomer" : "Zoom out",
    })
    .addTo(map);
  const layer = L.geoJSON(undefined, {
    style: (f) => shapeStyle(f as PlaceFeature | undefined, classes),
    pointToLayer: (f, at) => L.circleMarker(at, { ...shapeStyle(f as PlaceFeature, classes), radius: 11 }),
  }).addTo(map);
  for (const f of placed) {
    // biome-ignore lint/suspicious/noExplicitAny: Leaflet's GeoJSON input type is looser than ours.
    layer.addData(f as any);
  }
  map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
  const permanent = placed.length <= PERMANENT_LABELS;
  layer.eachLayer((shape) => {
    const f = (shape as L.Path & { feature?: PlaceFeature }).feature;
    if (!f) return;
    // Drawn once the view is set: the path exists now.
    const path = (shape as L.Path).getElement();
    path?.setAttribute("data-place", f.properties.place_code);
    (shape as L.Path).bindTooltip(tooltip(f, o), {
      permanent,
      direction: "center",
      className: "od-map-label",
    });
  });
}

function shapeStyle(f: PlaceFeature | undefined, classes: Classes | null): L.PathOptions {
  const p = f?.properties;
  const secret = !p || p.value === null || isSuppressed(p.status);
  const fillColor =
    secret || !classes ? SECRET : colour(classIndex(p.value as number, classes), classes.breaks.length);
  return {
    className: secret ? "od-place od-place-secret" : "od-place",
    color: "#161616",
    weight: secret ? 1.5 : 1,
    dashArray: secret ? "5 4" : "",
    fillColor,
    fillOpacity: 0.85,
  };
}

function tooltip(f: PlaceFeature, o: MapOptions): HTMLElement {
  return el(
    "span",
    {},
    el("strong", {}, f.properties.place_name),
    el("br"),
    showValue(f.properties, o.unit, o.lang),
  );
}

function renderLegend(legend: HTMLElement, classes: Classes | null, o: MapOptions): void {
  const t = words[o.lang];
  const items: HTMLElement[] = [];
  if (classes) {
    const n = classes.breaks.length;
    classes.breaks.forEach((upper, i) => {
      const lower = i === 0 ? classes.min : (classes.breaks[i - 1] ?? classes.min);
      const text =
        lower === upper
          ? showNumber(upper, o.unit, o.lang)
          : fill(t.legendRange, {
              from: showNumber(lower, o.unit, o.lang),
              to: showNumber(upper, o.unit, o.lang),
            });
      items.push(el("li", {}, swatch(`od-swatch-${CLASSES.indexOf(colour(i, n))}`), text));
    });
  }
  items.push(el("li", {}, swatch("od-swatch-secret"), t.legendSecret));
  replaceChildren(legend, ...items);
}

function swatch(className: string): HTMLElement {
  return el("span", { class: `od-swatch ${className}`, "aria-hidden": "true" });
}

/** The places of the period that have no geometry: named with their value, under the map. */
function renderOthers(holder: HTMLElement, features: readonly PlaceFeature[], o: MapOptions): void {
  if (features.length === 0) {
    replaceChildren(holder);
    return;
  }
  const t = words[o.lang];
  replaceChildren(
    holder,
    el("p", {}, t.mapNoGeometry),
    el(
      "ul",
      {},
      ...features.map((f) =>
        el(
          "li",
          {},
          `${f.properties.place_name}${o.lang === "fr" ? " : " : ": "}${showValue(f.properties, o.unit, o.lang)}`,
        ),
      ),
    ),
  );
}

/** The caption of the map: which period it shows. */
export function mapCaption(period: string, o: MapOptions): string {
  return fill(words[o.lang].mapCaption, { period: showPeriod(period, o.granularity, o.lang) });
}
