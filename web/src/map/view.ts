import * as L from "leaflet";
import { el } from "../dom.ts";
import { fill, type Lang, label } from "../i18n/common.ts";
import { map as words } from "../i18n/map.ts";
import { localPath } from "../shell.ts";
import { type ClusterIndex, createClusterIndex, type MapItem } from "./cluster.ts";
import { SIGN } from "./symbols.ts";
import { type MapDevice, type Outline, worst } from "./types.ts";

/**
 * The map itself (Leaflet): the communes' outlines drawn on a canvas, and the devices of the
 * visible box grouped by the cluster index, redrawn after each move or zoom. Markers are built
 * with DOM calls (their texts are text nodes), each with its condition's colour and sign.
 * Without a tile server the background is plain, and the map needs nothing from the internet.
 */

export interface MapOptions {
  lang: Lang;
  /** A tile URL template (`https://…/{z}/{x}/{y}.png`) and its attribution, or null. */
  tiles: { url: string; attribution: string } | null;
}

export interface DeviceMap {
  /** Shows these devices (already filtered); `fit` moves the view onto them. */
  show(devices: readonly MapDevice[], fit: boolean): void;
  setOutlines(outlines: readonly Outline[]): void;
}

export function createDeviceMap(container: HTMLElement, options: MapOptions): DeviceMap {
  const map = L.map(container, { preferCanvas: true, attributionControl: options.tiles !== null });
  map.setView([49.45, 5.95], 12);
  if (options.tiles) {
    L.tileLayer(options.tiles.url, { attribution: options.tiles.attribution, maxZoom: 19 }).addTo(map);
  } else {
    container.classList.add("map-plain");
  }
  const outlineLayer = L.layerGroup().addTo(map);
  const markerLayer = L.layerGroup().addTo(map);
  let index: ClusterIndex = createClusterIndex([]);
  const redraw = () => drawItems(markerLayer, map, index, options.lang);
  map.on("moveend", redraw);
  return {
    show(devices, fit) {
      index = createClusterIndex(devices);
      if (fit && devices.length > 0) {
        map.fitBounds(L.latLngBounds(devices.map((d) => [d.lat, d.lon] as [number, number])), {
          padding: [24, 24],
          animate: false,
        });
      }
      redraw();
    },
    setOutlines(outlines) {
      outlineLayer.clearLayers();
      for (const outline of outlines) outlineLayer.addLayer(outlineShape(outline, options.lang));
    },
  };
}

function drawItems(layer: L.LayerGroup, map: L.Map, index: ClusterIndex, lang: Lang): void {
  const b = map.getBounds().pad(0.1);
  const bbox: [number, number, number, number] = [
    Math.max(-180, b.getWest()),
    Math.max(-85, b.getSouth()),
    Math.min(180, b.getEast()),
    Math.min(85, b.getNorth()),
  ];
  layer.clearLayers();
  for (const item of index.items(bbox, map.getZoom())) layer.addLayer(marker(item, map, index, lang));
}

function marker(item: MapItem, map: L.Map, index: ClusterIndex, lang: Lang): L.Marker {
  const t = words[lang];
  if (item.kind === "device") {
    const d = item.device;
    const state = t[d.condition];
    const mark = el(
      "span",
      { class: `map-mark map-${d.condition}`, "data-count": "1", "data-condition": d.condition },
      el("span", { class: "map-sign", "aria-hidden": "true" }, SIGN[d.condition]),
    );
    const m = L.marker([item.lat, item.lon], {
      icon: L.divIcon({ html: mark, className: "map-icon", iconSize: [22, 22] }),
      keyboard: false,
      title: `${d.id} — ${state}`,
    });
    m.bindPopup(() => devicePopup(d, lang));
    return m;
  }
  const state = worst(item.counts);
  const size = item.count < 10 ? 30 : item.count < 100 ? 36 : item.count < 1000 ? 44 : 52;
  const mark = el(
    "span",
    { class: `map-mark map-cluster map-${state}`, "data-count": String(item.count), "data-condition": state },
    el("span", { class: "map-count" }, String(item.count)),
    el("span", { class: "map-sign", "aria-hidden": "true" }, SIGN[state]),
  );
  const m = L.marker([item.lat, item.lon], {
    icon: L.divIcon({ html: mark, className: "map-icon", iconSize: [size, size] }),
    keyboard: false,
    title: fill(t.cluster, { n: item.count, worst: fill(t.clusterWorst, { state: t[state] }) }),
  });
  m.on("click", () => map.setView([item.lat, item.lon], index.expansionZoom(item.id)));
  return m;
}

function devicePopup(d: MapDevice, lang: Lang): HTMLElement {
  const t = words[lang];
  const href = localPath(`/equipements/${encodeURIComponent(d.id)}`, lang);
  return el(
    "div",
    { class: "map-popup" },
    el("p", {}, el("a", { href }, d.id)),
    el("p", {}, `${label(lang, d.domain)} — ${SIGN[d.condition]} ${t[d.condition]}`),
  );
}

function outlineShape(outline: Outline, lang: Lang): L.LayerGroup {
  const shape = L.polygon(outline.rings, {
    interactive: false,
    color: "#000091",
    weight: 2,
    dashArray: outline.drawnAroundDevices ? "6 6" : "",
    fillColor: "#000091",
    fillOpacity: 0.03,
  });
  const name = el("span", {}, outline.name);
  if (outline.drawnAroundDevices) name.title = words[lang].outlineHull;
  // The name above the outline's northernmost point, where it hides no marker.
  const top = outline.rings.flat().reduce((a, b) => (b[0] > a[0] ? b : a));
  const tooltip = L.tooltip({
    permanent: true,
    direction: "top",
    className: "map-commune-name",
    interactive: false,
  })
    .setLatLng(top)
    .setContent(name);
  return L.layerGroup([shape, tooltip]);
}
