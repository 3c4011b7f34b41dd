/**
 * A horizontal bar chart drawn as SVG with DOM calls: one bar per group, from a zero line, to the
 * right for a positive value and to the left for a negative one (classes `bar-positive` and
 * `bar-negative`, no inline style). The chart is an image whose text alternative is the table
 * beside it (`aria-describedby`); the bars' labels are there for sighted readers.
 */

import { barLayout } from "./bar-layout.ts";

const SVG = "http://www.w3.org/2000/svg";
const ROW = 22;
const LABEL = 150;
const WIDTH = 640;
const VALUE = 90;

export interface Bar {
  label: string;
  value: number;
  text: string;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function barChart(options: {
  title: string;
  bars: readonly Bar[];
  describedBy: string;
}): SVGSVGElement {
  const { bars } = options;
  const plot = WIDTH - LABEL - VALUE;
  const height = Math.max(1, bars.length) * ROW + 10;
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: "bar-chart",
    role: "img",
    "aria-label": options.title,
    "aria-describedby": options.describedBy,
  });
  chart.appendChild(svg("title", {}, options.title));
  const { zero, scale } = barLayout(
    bars.map((b) => b.value),
    plot,
  );
  bars.forEach((bar, index) => {
    const y = 5 + index * ROW;
    const length = Math.abs(bar.value) * scale;
    const x = LABEL + (bar.value >= 0 ? zero : zero - length);
    chart.appendChild(
      svg("text", { x: LABEL - 6, y: y + 15, class: "bar-label", "text-anchor": "end" }, bar.label),
    );
    chart.appendChild(
      svg("rect", {
        x,
        y: y + 3,
        width: Math.max(length, 0.5),
        height: ROW - 6,
        class: bar.value >= 0 ? "bar-positive" : "bar-negative",
      }),
    );
    chart.appendChild(svg("text", { x: WIDTH - VALUE + 6, y: y + 15, class: "bar-value" }, bar.text));
  });
  chart.appendChild(
    svg("line", { x1: LABEL + zero, x2: LABEL + zero, y1: 0, y2: height, class: "bar-zero" }),
  );
  return chart;
}
