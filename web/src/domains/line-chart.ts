import uPlot from "uplot";
import { el } from "../dom.ts";

/**
 * A line chart of one series over days, drawn by uPlot on a canvas. The canvas says nothing to a
 * screen reader: the chart's box is an image named by `label` and described by its table
 * (`describedBy`), which holds the same values as text.
 */

export interface LinePoint {
  /** `YYYY-MM-DD` */
  day: string;
  value: number;
}

/** uPlot's columns: the days' noon (UTC) in seconds, and the values (pure). */
export function lineData(points: readonly LinePoint[]): [number[], number[]] {
  const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
  return [sorted.map((p) => Date.parse(`${p.day}T12:00:00Z`) / 1000), sorted.map((p) => p.value)];
}

export function lineChart(options: {
  label: string;
  describedBy: string;
  unit: string;
  points: readonly LinePoint[];
  rising: boolean;
  /** The x axis' labels: a day (`YYYY-MM-DD`) as the page's language writes it. */
  dayLabel: (day: string) => string;
}): HTMLElement {
  const box = el("div", {
    class: options.rising ? "line-chart line-chart-rising" : "line-chart",
    role: "img",
    "aria-label": options.label,
    "aria-describedby": options.describedBy,
  });
  const width = Math.min(720, Math.max(280, (document.getElementById("contenu")?.clientWidth ?? 720) - 16));
  new uPlot(
    {
      width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true } },
      series: [
        {},
        {
          label: options.unit,
          stroke: options.rising ? "#a1260d" : "#1f5f8b",
          width: 2,
          points: { show: true, size: 6 },
        },
      ],
      axes: [
        {
          values: (_, ticks) =>
            ticks.map((seconds) => options.dayLabel(new Date(seconds * 1000).toISOString().slice(0, 10))),
        },
        { label: options.unit },
      ],
    },
    lineData(options.points),
    box,
  );
  return box;
}
