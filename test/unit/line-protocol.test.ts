import { describe, expect, it } from "vitest";
import type { FieldValue, Observation } from "../../services/domain/types.ts";
import {
  decodeStored,
  encodeBatches,
  encodeLine,
  storedFieldKey,
  storedMeasurement,
  storedTagValue,
} from "../../services/storage/line-protocol.ts";

const T0 = Date.UTC(2025, 0, 6);

function obs(
  overrides: Partial<Observation> = {},
  values: Record<string, FieldValue> = { v: 1 },
): Observation {
  return {
    deviceId: "lamp-1",
    time: T0,
    domain: "streetlight",
    commune: "57038",
    ownerId: "ccphva",
    operatorId: "op-a",
    contract: "streetlight@1",
    values,
    ...overrides,
  };
}

const TAGS = "commune=57038,contract=streetlight@1,device_id=lamp-1,operator=op-a,owner=ccphva";

/**
 * A reference reader of one line, written from the 1.x line protocol reference and the 1.6.7
 * parser's behaviour: a backslash escapes the next character, separators are unescaped commas,
 * spaces and equals signs, string field values are double-quoted with `\"` and `\\` escapes.
 * Names and tag values are decoded back from their stored form.
 */
function readLine(line: string) {
  let i = 0;
  const until = (stops: string): string => {
    let out = "";
    while (i < line.length && !stops.includes(line[i] as string)) {
      if (line[i] === "\\" && i + 1 < line.length && ",= ".includes(line[i + 1] as string)) i += 1;
      out += line[i];
      i += 1;
    }
    return out;
  };
  const quoted = (): string => {
    let out = "";
    i += 1;
    while (line[i] !== '"') {
      if (line[i] === "\\" && '"\\'.includes(line[i + 1] as string)) i += 1;
      out += line[i];
      i += 1;
    }
    i += 1;
    return out;
  };
  const measurement = decodeStored(until(", "));
  const tags: Record<string, string> = {};
  while (line[i] === ",") {
    i += 1;
    const key = until("=");
    i += 1;
    tags[key] = decodeStored(until(", "));
  }
  i += 1;
  const fields: Record<string, string> = {};
  do {
    if (line[i] === ",") i += 1;
    const key = decodeStored(until("="));
    i += 1;
    fields[key] = line[i] === '"' ? JSON.stringify(quoted()) : until(", ");
  } while (line[i] === ",");
  i += 1;
  const time = line.slice(i);
  return { measurement, tags, fields, time };
}

describe("encodeLine", () => {
  it.each<[string, Observation, string]>([
    ["a plain reading", obs(), `streetlight,${TAGS} v=1 ${T0}`],
    [
      "numbers as floats, whatever their value",
      obs({}, { a: 1, b: -17.25, c: 1.5e-9, d: 1e21, e: Number.MAX_SAFE_INTEGER, f: 0 }),
      `streetlight,${TAGS} a=1,b=-17.25,c=1.5e-9,d=1e+21,e=9007199254740991,f=0 ${T0}`,
    ],
    ["booleans", obs({}, { on: true, off: false }), `streetlight,${TAGS} on=true,off=false ${T0}`],
    [
      "strings quoted, with quotes and backslashes escaped, newlines kept",
      obs({}, { s: 'say "hi" C:\\temp\\', n: "a\nb\r\nc", num: "42", t: "true", e: "" }),
      `streetlight,${TAGS} s="say \\"hi\\" C:\\\\temp\\\\",n="a\nb\r\nc",num="42",t="true",e="" ${T0}`,
    ],
    [
      "measurement: commas and spaces escaped, a leading # encoded",
      obs({ domain: "#eau potable,réseau=1" }),
      `%23eau\\ potable\\,réseau=1,${TAGS} v=1 ${T0}`,
    ],
    [
      "tag values: commas, equals signs and spaces escaped",
      obs({ deviceId: "a,b=c d" }),
      `streetlight,commune=57038,contract=streetlight@1,device_id=a\\,b\\=c\\ d,operator=op-a,owner=ccphva v=1 ${T0}`,
    ],
    [
      "tag values: %, backslash and newline percent-encoded",
      obs({ deviceId: "100%\\x\ny" }),
      `streetlight,commune=57038,contract=streetlight@1,device_id=100%25%5Cx%0Ay,operator=op-a,owner=ccphva v=1 ${T0}`,
    ],
    [
      "empty tag values left out",
      obs({ commune: "", ownerId: "" }),
      `streetlight,contract=streetlight@1,device_id=lamp-1,operator=op-a v=1 ${T0}`,
    ],
    [
      "field keys: separators escaped, reserved names encoded",
      obs({}, { "a b,c=d": 1, time: 2, device_id: 3, operator: 4, Time: 5 }),
      `streetlight,${TAGS} a\\ b\\,c\\=d=1,%74ime=2,%64evice_id=3,%6Fperator=4,Time=5 ${T0}`,
    ],
    [
      "tag values: quotes and unicode kept as they are",
      obs({ deviceId: `it's "x" 💧` }),
      `streetlight,commune=57038,contract=streetlight@1,device_id=it's\\ "x"\\ 💧,operator=op-a,owner=ccphva v=1 ${T0}`,
    ],
  ])("%s", (_, observation, expected) => {
    expect(encodeLine(observation)).toBe(expected);
  });

  it("writes nothing for a reading with no values", () => {
    expect(encodeLine(obs({}, {}))).toBe("");
  });

  it.each<[string, Observation]>([
    ["NaN", obs({}, { v: Number.NaN })],
    ["Infinity", obs({}, { v: Number.POSITIVE_INFINITY })],
    ["an empty field name", obs({}, { "": 1 })],
    ["an empty domain", obs({ domain: "" })],
    ["a fractional time", obs({ time: T0 + 0.5 })],
    ["a time beyond year 2262", obs({ time: 9_223_372_036_855 })],
    ["a non-scalar value", obs({}, { v: { x: 1 } as unknown as FieldValue })],
  ])("refuses %s with a coded, non-retryable error", (_, observation) => {
    expect(() => encodeLine(observation)).toThrow(
      expect.objectContaining({ code: "ERR_STORE_UNREPRESENTABLE", retryable: false }),
    );
  });
});

/** Attempts to smuggle a tag, a field or a whole line through a value. */
const INJECTIONS = [
  "a,operator=evil b=1",
  "a\noperator=evil b=1",
  "lamp-1 v=2 0\nstreetlight,device_id=evil v=3",
  "x\\",
  "x\\,operator=evil",
  "x\\ v=9",
  "x\\\ny v=9",
  'x" v=9',
  "x=y,z=w",
  "#comment\nm v=1",
  "\r\n",
  "%0A",
  "%",
  " ",
  "=",
  ",",
  "\\",
  "\t",
  "nul\u0000",
  "cr\r",
  "Château d'eau — 💧 東京",
];

describe("no value can change the shape of a line", () => {
  it.each(INJECTIONS)("%j as every name and attribute reads back as itself", (value) => {
    const observation = obs(
      { deviceId: value, commune: value, contract: value, operatorId: value, ownerId: value, domain: value },
      { [value]: value, [`${value}#n`]: 1 },
    );
    const line = encodeLine(observation);
    const read = readLine(line);
    expect(read).toEqual({
      measurement: value,
      tags: { commune: value, contract: value, device_id: value, operator: value, owner: value },
      fields: { [value]: JSON.stringify(value), [`${value}#n`]: "1" },
      time: String(T0),
    });
    // Outside the one string field value, a newline never appears: the line stays one line.
    expect(line.replace(/"(?:[^"\\]|\\.)*"/g, "")).not.toContain("\n");
  });
});

describe("stored names and tag values", () => {
  const samples = [...INJECTIONS, "", "plain", "%25", "%%", "time", "device_id", "#", "##"];

  it.each(samples)("%j decodes back exactly from every stored form", (value) => {
    expect(decodeStored(storedTagValue(value))).toBe(value);
    expect(decodeStored(storedMeasurement(value))).toBe(value);
    expect(decodeStored(storedFieldKey(value))).toBe(value);
  });

  it("keeps ordinary values as they are, for Grafana and hand-written InfluxQL", () => {
    for (const value of ["lamp-1", "57038", "op-a", "streetlight@1", "pressure_bar", "Château"]) {
      expect(storedTagValue(value)).toBe(value);
      expect(storedFieldKey(value)).toBe(value);
      expect(storedMeasurement(value)).toBe(value);
    }
  });

  it("never stores a backslash, a line break, a NUL or a lone %", () => {
    for (const value of [...samples, "a\rb", "a\u0000b"]) {
      for (const stored of [storedTagValue(value), storedMeasurement(value), storedFieldKey(value)]) {
        expect(stored).not.toMatch(/[\\\n\r\0]|%(?![0-9A-F]{2})/);
      }
    }
  });
});

describe("encodeBatches", () => {
  it("splits lines into batches of at most batchLines and skips readings without values", () => {
    const observations = Array.from({ length: 12 }, (_, i) =>
      obs({ time: T0 + i }, i % 4 === 3 ? {} : { v: i }),
    );
    const batches = encodeBatches(observations, 4);
    expect(batches.map((b) => b.lines)).toEqual([4, 4, 1]);
    expect(batches.map((b) => b.text.split("\n").length)).toEqual([4, 4, 1]);
    expect(encodeBatches([], 4)).toEqual([]);
  });

  it("refuses the whole write when one reading cannot be encoded", () => {
    const observations = [obs(), obs({}, { v: Number.NaN })];
    expect(() => encodeBatches(observations, 1)).toThrow(
      expect.objectContaining({ code: "ERR_STORE_UNREPRESENTABLE" }),
    );
  });

  // Its speed is the ingest benchmark's business (`npm run bench -- ingest --store influx`), not a
  // unit test's: a wall-clock limit here fails on a loaded machine and proves nothing on a fast one.
  // What a large input does prove is the per-device prefix cache: 3,000 devices, each seen 33 or 34
  // times, whose operator changes at every pass, so a stale cached prefix would show in some line.
  it("encodes 100,000 readings of 5 fields exactly, each line with its own device's current tags", () => {
    const operator = (i: number) => (Math.floor(i / 3000) % 2 === 0 ? "op-a" : "op-b");
    const observations = Array.from({ length: 100_000 }, (_, i) =>
      obs(
        { deviceId: `lamp-${i % 3000}`, operatorId: operator(i), time: T0 + i },
        { a: i, b: i / 3, c: true, d: "ok", e: -i },
      ),
    );
    const batches = encodeBatches(observations, 5_000);
    expect(batches).toHaveLength(20);
    expect(batches.every((b) => b.lines === 5_000)).toBe(true);
    const lines = batches.flatMap((b) => b.text.split("\n"));
    expect(lines).toHaveLength(100_000);
    const wrong = lines.flatMap((line, i) => {
      const tags = `commune=57038,contract=streetlight@1,device_id=lamp-${i % 3000},operator=${operator(i)},owner=ccphva`;
      const expected = `streetlight,${tags} a=${i},b=${i / 3},c=true,d="ok",e=${-i} ${T0 + i}`;
      return line === expected ? [] : [{ i, line, expected }];
    });
    expect(wrong.slice(0, 3)).toEqual([]);
  });
});
