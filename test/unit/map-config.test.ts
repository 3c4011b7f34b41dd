import { describe, expect, it } from "vitest";
import { WEB_CSP_DIRECTIVES, webCspDirectives } from "../../services/api/plugins/web.ts";
import { loadConfig, mapSettings, tileTemplateProblem } from "../../services/config.ts";

/** The map's tile server option: checked at start, and its origin alone joins the CSP's img-src. */

function configError(env: Record<string, string>): { code: string; message: string } {
  try {
    loadConfig({}, env);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("the configuration was accepted");
}

describe("LANTERNE_MAP_TILES", () => {
  it("is empty by default: no tiles, no attribution", () => {
    expect(mapSettings(loadConfig({}, {}))).toEqual({ tiles: null, attribution: null });
  });

  it("takes an https or http template with {z}, {x} and {y}, and its attribution", () => {
    const config = loadConfig(
      {},
      {
        LANTERNE_MAP_TILES: "https://tiles.example.fr/osm/{z}/{x}/{y}.png",
        LANTERNE_MAP_ATTRIBUTION: "© OpenStreetMap",
      },
    );
    expect(mapSettings(config)).toEqual({
      tiles: "https://tiles.example.fr/osm/{z}/{x}/{y}.png",
      attribution: "© OpenStreetMap",
    });
    expect(tileTemplateProblem("http://127.0.0.1:8081/{z}/{x}/{y}{r}.png?key=k")).toBeUndefined();
  });

  it.each([
    ["a missing placeholder", "https://tiles.example.fr/{z}/{x}.png", "{y}"],
    ["another scheme", "ftp://tiles.example.fr/{z}/{x}/{y}.png", "https://"],
    ["a file", "file:///srv/tiles/{z}/{x}/{y}.png", "https://"],
    ["subdomains", "https://{s}.tiles.example.fr/{z}/{x}/{y}.png", "{s}"],
    ["not a URL", "tiles/{z}/{x}/{y}.png", "must be a URL"],
    ["credentials", "https://user:pw@tiles.example.fr/{z}/{x}/{y}.png", "credentials"],
  ])("refuses %s with the configuration error", (_, template, said) => {
    const error = configError({ LANTERNE_MAP_TILES: template });
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.message).toContain("/mapTiles (LANTERNE_MAP_TILES)");
    expect(error.message).toContain(said);
  });
});

describe("the pages' CSP with a tile server", () => {
  it("adds the template's origin to img-src only (and data: for Leaflet's cancelled tiles), never a wildcard", () => {
    const directives = webCspDirectives("https://tiles.example.fr:8443/osm/{z}/{x}/{y}.png");
    expect(directives.imgSrc).toEqual(["'self'", "https://tiles.example.fr:8443", "data:"]);
    expect({ ...directives, imgSrc: WEB_CSP_DIRECTIVES.imgSrc }).toEqual(WEB_CSP_DIRECTIVES);
    expect(JSON.stringify(directives)).not.toContain("*");
  });

  it("is the strict policy itself without one", () => {
    expect(webCspDirectives(null)).toBe(WEB_CSP_DIRECTIVES);
  });
});
