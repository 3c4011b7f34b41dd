import { describe, expect, it } from "vitest";
import { nestingDepth, parseBoundedJson, valueOverLimits } from "../../gateway/pipeline/bounded-json.ts";

/** The bounds every JSON input is read within, each reported with its code and path. */
const limits = { maxDepth: 4, maxKeys: 3, maxArray: 3, maxString: 5 };

describe("bounded JSON", () => {
  it.each([
    ["a document within every bound", '{"a":[1,2,{"b":"xyz"}]}', undefined, ""],
    ["nesting past the limit, refused on its text", "[[[[[1]]]]]", "ERR_PAYLOAD_DEPTH", ""],
    ["malformed text", '{"a":', "ERR_PAYLOAD_JSON", ""],
    ["too many keys", '{"r":[{"a":1,"b":2,"c":3,"d":4}]}', "ERR_PAYLOAD_LIMIT", "r[0]"],
    ["too many elements", '{"r":[1,2,3,4]}', "ERR_PAYLOAD_LIMIT", "r"],
    ["a string too long", '{"r":[0,{"note":"abcdef"}]}', "ERR_PAYLOAD_LIMIT", "r[1].note"],
    ["a key too long", '{"r":{"abcdef":1}}', "ERR_PAYLOAD_LIMIT", "r.abcdef"],
  ])("%s", (_name, text, code, path) => {
    const result = parseBoundedJson(text, limits);
    if (code === undefined) {
      expect(result).toEqual({ ok: true, value: JSON.parse(text) });
      return;
    }
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ code, path });
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    expect(nestingDepth('{"a":"[[[[\\"[[[["}', 4)).toBe(1);
    expect(parseBoundedJson('{"a":"[[\\"[["}', { ...limits, maxString: 10 }).ok).toBe(true);
  });

  it("stops counting past the limit instead of reading the rest", () => {
    expect(nestingDepth(`${"[".repeat(100_000)}`, 32)).toBe(33);
  });

  it("bounds a value that did not come as text the same way, nesting included", () => {
    expect(valueOverLimits({ a: { b: { c: { d: { e: 1 } } } } }, limits)).toMatchObject({
      code: "ERR_PAYLOAD_DEPTH",
      path: "a.b.c.d",
    });
    expect(valueOverLimits({ a: [1, 2] }, limits)).toBeUndefined();
  });
});
