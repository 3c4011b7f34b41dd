import { SaxesParser } from "@rubensworks/saxes";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  type ChartOptions,
  chartWindowStart,
  createDatasetCharts,
  datasetChartSvg,
  escapeXml,
  FONT_FAMILY,
  niceTicks,
  PALETTE,
  renderPng,
  socialPreviewSize,
  thumbnailSize,
} from "../../services/opendata/chart-png.ts";
import type { DatasetInfo } from "../../services/opendata/service.ts";
import type { Cell, PublishedTable } from "../../services/opendata/table.ts";

/**
 * A dataset's chart: SVG that a real XML parser and librsvg both accept whatever the places are
 * called, gaps where statistical secrecy hides a value, a PNG of the asked size that is not blank,
 * and an alt text that says what the picture shows.
 */

const DAY = 86_400_000;
const START = Date.UTC(2025, 2, 1);

interface Element {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Element[];
}

/** The SVG read by a conformant XML parser (saxes): it throws on anything not well-formed. */
function parseXml(xml: string): Element {
  const parser = new SaxesParser();
  const root: Element = { name: "#document", attributes: {}, text: "", children: [] };
  const stack = [root];
  const top = () => stack[stack.length - 1] ?? root;
  parser.on("opentag", (tag) => {
    const element: Element = { name: tag.name, attributes: { ...tag.attributes }, text: "", children: [] };
    top().children.push(element);
    stack.push(element);
  });
  parser.on("text", (text) => {
    top().text += text;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  return root;
}

function all(element: Element, name: string): Element[] {
  return element.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

function row(day: number, code: string, name: string, value: number | null): Record<string, Cell> {
  return {
    period_start: new Date(START + day * DAY).toISOString(),
    period_end: new Date(START + (day + 1) * DAY).toISOString(),
    place_code: code,
    place_name: name,
    value,
    devices: value === null ? null : 6,
    status: value === null ? "suppressed-primary" : "published",
    version: 1,
  };
}

function table(rows: Record<string, Cell>[]): PublishedTable {
  return {
    name: "dechets-taux-de-remplissage",
    title: "Taux de remplissage",
    description: "",
    fields: [],
    primaryKey: ["period_start", "place_code"],
    licence: "etalab-2.0",
    rows,
  };
}

/** Ten days of one place, values from `f(day)` (null: under statistical secrecy). */
function place(code: string, name: string, f: (day: number) => number | null, days = 10) {
  return Array.from({ length: days }, (_, d) => row(d, code, name, f(d)));
}

const options = (o: Partial<ChartOptions> = {}): ChartOptions => ({
  ...socialPreviewSize,
  title: "Taux de remplissage des conteneurs",
  unit: "%",
  lang: "fr",
  ...o,
});

/** Short enough for the legend not to shorten them. */
const HOSTILE = ["<script>x</script>", "Saint-Jean & Lès", `Le "Haut" d'Yutz`];

async function channelsVary(png: Buffer): Promise<boolean> {
  const { channels } = await sharp(png).stats();
  return channels.slice(0, 3).some((c) => c.min !== c.max);
}

describe("dataset chart SVG", () => {
  const sample = table([
    ...place("57672", "Thionville", (d) => 40 + d),
    ...place("57757", "Yutz", (d) => (d === 4 ? null : 30 + 2 * d)),
  ]);

  it("is well-formed XML that sharp renders, and a broken SVG is refused by both", async () => {
    const { svg } = datasetChartSvg(sample, options());
    const root = parseXml(svg);
    expect(root.children[0]?.name).toBe("svg");
    expect(root.children[0]?.attributes["font-family"]).toBe(FONT_FAMILY);
    await expect(renderPng(svg)).resolves.toBeInstanceOf(Buffer);
    const broken = svg.replace("</svg>", "<text>a & b</text></svg>");
    expect(() => parseXml(broken)).toThrow();
    await expect(renderPng(broken)).rejects.toThrow();
  });

  it("escapes hostile place names and titles: the text read back is the name as given", async () => {
    const rows = HOSTILE.flatMap((name, i) => place(`p${i}`, name, (d) => 10 * i + d));
    const { svg } = datasetChartSvg(table(rows), options({ title: `Taux <b>&</b> "moyen"` }));
    expect(svg).not.toContain("<script>");
    const texts = all(parseXml(svg), "text").map((t) => t.text);
    for (const name of HOSTILE) expect(texts).toContain(name);
    const desc = all(parseXml(svg), "desc")[0]?.text ?? "";
    for (const name of HOSTILE) expect(desc).toContain(name);
    expect(texts).toContain(`Taux <b>&</b> "moyen"`);
    expect(await channelsVary(await renderPng(svg))).toBe(true);
  });

  it("replaces characters XML 1.0 forbids instead of writing a document no parser reads", () => {
    expect(escapeXml("a\u0001b&'")).toBe("a\uFFFDb&amp;&apos;");
    const { svg } = datasetChartSvg(table(place("x", "Bell\u0007e", (d) => d)), options());
    expect(() => parseXml(svg)).not.toThrow();
  });

  it("breaks a line where a value is hidden or a period missing, and dots a point alone", () => {
    const rows = [
      ...place("a", "Gaps", (d) => ([3, 7].includes(d) ? null : d)),
      ...place("b", "Missing", (d) => d).filter((_, d) => d !== 5),
    ];
    const root = parseXml(datasetChartSvg(table(rows), options()).svg);
    const groups = all(root, "g").filter((g) => g.attributes.class === "series");
    const moves = (code: string) => {
      const path = all(groups.find((g) => g.attributes["data-place"] === code) as Element, "path")[0];
      return (path?.attributes.d ?? "").match(/M/g)?.length;
    };
    expect(moves("a")).toBe(3); // days 0-2, 4-6, 8-9
    expect(moves("b")).toBe(2); // days 0-4, 6-9
    const lonely = table(place("c", "Alone", (d) => (d === 4 ? 9 : d === 3 || d === 5 ? null : d)));
    const dots = all(parseXml(datasetChartSvg(lonely, options()).svg), "circle");
    expect(dots).toHaveLength(1);
  });

  it("draws the 8 places with the most published figures and counts the others", () => {
    const rows = Array.from({ length: 10 }, (_, i) =>
      place(`p${i}`, `Lieu ${i}`, (d) => (i >= 8 && d % 2 === 0 ? null : i + d)),
    ).flat();
    const { svg, alt } = datasetChartSvg(table(rows), options());
    const groups = all(parseXml(svg), "g").filter((g) => g.attributes.class === "series");
    expect(groups.map((g) => g.attributes["data-place"]).sort()).toEqual(
      ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"].sort(),
    );
    expect(alt).toContain("2 autres lieux non représentés");
    expect(datasetChartSvg(table(rows), options({ lang: "en" })).alt).toContain("2 other places not shown");
  });

  it("renders an empty table as a chart that says so", async () => {
    const { svg, alt } = datasetChartSvg(table([]), options());
    expect(alt).toContain("aucune valeur publiée");
    expect(await channelsVary(await renderPng(svg))).toBe(true);
  });
});

describe("dataset chart PNG", () => {
  const rows = table([
    ...place("57672", "Thionville", (d) => 40 + d),
    ...place("57757", "Yutz", (d) => 30 + d),
  ]);

  it.each([
    ["social preview", socialPreviewSize],
    ["thumbnail", thumbnailSize],
  ])("has the size of a %s, PNG, and is not blank", async (_name, size) => {
    const png = await renderPng(datasetChartSvg(rows, options(size)).svg);
    const meta = await sharp(png).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format: "png",
      ...size,
    });
    expect(await channelsVary(png)).toBe(true);
  });

  it("draws text: the host has a font (Debian: fonts-dejavu-core)", async () => {
    const svg = (body: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/>${body}</svg>`;
    const png = await renderPng(
      svg(`<text x="5" y="30" font-size="24" font-family="${FONT_FAMILY}">Lanterne</text>`),
    );
    expect(await channelsVary(png)).toBe(true);
  });
});

describe("dataset chart alt text", () => {
  const rows = table([
    ...place("57672", "Thionville", (d) => 40 + d),
    ...place("57757", "Yutz", (d) => ([2, 5, 6].includes(d) ? null : 30 + 2 * d)),
  ]);

  it("says in French the title, period, places, min, max, last values, unit and hidden figures", () => {
    const { alt } = datasetChartSvg(rows, options());
    expect(alt).toContain("Taux de remplissage des conteneurs");
    expect(alt).toContain("du 1 mars 2025 au 10 mars 2025");
    expect(alt).toMatch(/2 lieux\u00a0: Thionville et Yutz/);
    expect(alt).toMatch(/Minimum\u00a0: 30\u00a0% \(Yutz, 1 mars 2025\)/);
    expect(alt).toMatch(/maximum\u00a0: 49\u00a0% \(Thionville, 10 mars 2025\)/);
    expect(alt).toMatch(/Dernières valeurs \(10 mars 2025\)\u00a0: Thionville 49\u00a0%, Yutz 48\u00a0%/);
    expect(alt).toContain("3 valeurs sur 20 sont masquées par le secret statistique");
  });

  it("says the same in English", () => {
    const { alt } = datasetChartSvg(rows, options({ lang: "en", unit: "kWh" }));
    expect(alt).toContain("from 1 March 2025 to 10 March 2025");
    expect(alt).toContain("2 places: Thionville and Yutz");
    expect(alt).toContain("Minimum: 30\u00a0kWh (Yutz, 1 March 2025)");
    expect(alt).toContain("3 of 20 figures are hidden by statistical secrecy");
  });

  it("says when no figure is hidden", () => {
    const clear = table(place("57672", "Thionville", (d) => d));
    expect(datasetChartSvg(clear, options({ lang: "en" })).alt).toContain("No figure is hidden");
    expect(datasetChartSvg(clear, options()).alt).toContain("Aucune valeur n'est masquée");
  });
});

describe("chart parts", () => {
  it.each([
    [0, 97, 5, [0, 20, 40, 60, 80, 100]],
    [0, 81, 4, [0, 25, 50, 75, 100]],
    [0.12, 0.87, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [-3, 12, 5, [-5, 0, 5, 10, 15]],
    [5, 5, 4, [4.5, 4.75, 5, 5.25, 5.5]],
  ])("niceTicks(%d, %d, %d) is %j", (lo, hi, count, ticks) => {
    expect(niceTicks(lo, hi, count)).toEqual(ticks);
  });

  it("covers 14 days of hours, 92 days, 3 years of months up to the last bucket", () => {
    const last = Date.UTC(2025, 5, 30, 13, 20);
    expect(chartWindowStart(last, "hour")).toBe(Date.UTC(2025, 5, 16, 14));
    expect(chartWindowStart(last, "day")).toBe(Date.UTC(2025, 5, 30) - 91 * DAY);
    expect(chartWindowStart(last, "month")).toBe(Date.UTC(2022, 6, 1));
  });

  it("draws lines in colours of at least 4.5:1 on white", () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    for (const colour of PALETTE) expect(1.05 / (luminance(colour) + 0.05)).toBeGreaterThanOrEqual(4.5);
  });

  it("renders a dataset's chart once per version, size and language", async () => {
    let tag = "v1";
    let reads = 0;
    const info = { title: "Taux", unit: "%", granularity: "day", last: START + 9 * DAY } as DatasetInfo;
    const charts = createDatasetCharts({
      get: async () => info,
      version: async () => ({ tag, modified: undefined }),
      table: async (_id, filter) => {
        reads++;
        expect(filter.from).toBe(START + 9 * DAY - 91 * DAY);
        return table(place("57672", "Thionville", (d) => d));
      },
    });
    const first = await charts.chart("x", "thumbnail", "fr");
    expect(await charts.chart("x", "thumbnail", "fr")).toBe(first);
    await charts.chart("x", "thumbnail", "en");
    tag = "v2";
    await charts.chart("x", "thumbnail", "fr");
    expect(reads).toBe(3);
    expect({ width: first.width, height: first.height }).toEqual(thumbnailSize);
  });
});
