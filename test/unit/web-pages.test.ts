import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { composePage } from "../../services/api/plugins/web.ts";

/** Every page is its own head and main inside the one layout: the whole document, once each part. */
describe("web pages in the layout", () => {
  const pages = readdirSync("web/pages").filter((f) => f.endsWith(".html") && !f.startsWith("_"));

  it.each(pages)(
    "%s is a whole document with one head, one header, one main and one footer",
    async (file) => {
      const html = await composePage(file);
      expect(html.startsWith('<!doctype html>\n<html lang="fr">')).toBe(true);
      for (const tag of ["<head>", "<title>", "<header", "<main", "<footer", "</html>"]) {
        expect(html.split(tag).length - 1, `${file}: ${tag}`).toBe(1);
      }
      expect(html).not.toContain("<!-- body -->");
      expect(html).not.toContain("<!-- head -->");
      expect(html.indexOf("<title>")).toBeLessThan(html.indexOf("</head>"));
      expect(html.indexOf("skip-link")).toBeLessThan(html.indexOf("<header"));
    },
  );

  it("gives the app's shell header to pages without one of their own, and keeps their own otherwise", async () => {
    expect(await composePage("carte.html")).toContain('<header id="shell"');
    const login = await composePage("connexion.html");
    expect(login).not.toContain('<header id="shell"');
    expect(login).toContain('class="lang-switch"');
  });
});
