import * as L from "leaflet";
import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { kindOf, outages as words } from "../i18n/reports.ts";
import { showInstant } from "../opendata/format.ts";
import { type Shape, ShapeMarker } from "./shape-marker.ts";
import { type Outage, type OutageStatus, reportPath } from "./types.ts";

/**
 * The outages on a map (Leaflet, no tile layer: a plain background, nothing from another site, as
 * on the datasets' pages). Each state has its colour AND its shape (out: a red circle, in hand:
 * an orange square, repaired: a green triangle), named in the legend. Up to SVG_LIMIT markers are
 * SVG paths (each carries its asset, which the tests and assistive tools can read); past it one
 * canvas draws them all, so five thousand outages stay light.
 */
export const SVG_LIMIT = 500;

const STYLE: Record<OutageStatus, { shape: Shape; fill: string }> = {
  out: { shape: "circle", fill: "#c9191e" },
  "in-hand": { shape: "square", fill: "#e07b00" },
  repaired: { shape: "triangle", fill: "#18753c" },
};

export function statusWords(status: OutageStatus, lang: Lang): string {
  const t = words[lang];
  return status === "out" ? t.statusOut : status === "in-hand" ? t.statusInHand : t.statusRepaired;
}

export interface OutagesMap {
  /** Draws these outages (the filtered ones) and fits the view to them. */
  show(list: readonly Outage[]): void;
}

export function outagesMap(container: HTMLElement, lang: Lang): OutagesMap {
  const map = L.map(container, { attributionControl: false, zoomControl: false, zoomSnap: 0.25 });
  L.control
    .zoom({
      zoomInTitle: lang === "fr" ? "Zoomer" : "Zoom in",
      zoomOutTitle: lang === "fr" ? "Dézoomer" : "Zoom out",
    })
    .addTo(map);
  const svg = L.svg();
  const canvas = L.canvas();
  const layer = L.featureGroup().addTo(map);
  return {
    show(list) {
      layer.clearLayers();
      const renderer = list.length <= SVG_LIMIT ? svg : canvas;
      for (const o of list) layer.addLayer(marker(o, renderer, lang));
      if (list.length > 0) {
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 16, animate: false });
      } else if (!(map as unknown as { _loaded?: boolean })._loaded) {
        map.setView([0, 0], 2);
      }
      if (renderer === svg) {
        layer.eachLayer((m) => {
          const o = (m as ShapeMarker & { outage?: Outage }).outage;
          const path = (m as L.Path).getElement();
          if (!o || !path) return;
          path.setAttribute("data-asset", o.asset);
          path.setAttribute("data-status", o.status);
        });
      }
    },
  };
}

function marker(o: Outage, renderer: L.Renderer, lang: Lang): ShapeMarker {
  const style = STYLE[o.status];
  const m = new ShapeMarker([o.lat, o.lon], style.shape, {
    renderer,
    radius: 8,
    color: "#161616",
    weight: 1.5,
    fillColor: style.fill,
    fillOpacity: 0.95,
    className: `rp-marker rp-marker-${o.status}`,
  });
  Object.assign(m, { outage: o });
  m.bindPopup(() => popup(o, lang));
  return m;
}

function popup(o: Outage, lang: Lang): HTMLElement {
  const t = words[lang];
  return el(
    "div",
    { class: "rp-popup" },
    el("p", {}, el("strong", {}, o.asset), el("br"), kindOf(o.domain, lang), el("br"), o.commune_name),
    el(
      "p",
      {},
      statusWords(o.status, lang),
      el("br"),
      fill(t.popupSince, { since: showInstant(o.since, lang) }),
      o.repaired_at === null ? null : el("br"),
      o.repaired_at === null ? null : fill(t.popupRepaired, { at: showInstant(o.repaired_at, lang) }),
    ),
    el("p", {}, el("a", { href: reportPath(lang, o.asset) }, `${t.reportThis} ${o.asset}`)),
  );
}
