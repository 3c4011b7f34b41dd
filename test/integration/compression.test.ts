import { request } from "node:http";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DEMO_SECRETS,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * Answers travel compressed when the client says it accepts it, read here with node:http (which,
 * unlike fetch, shows the bytes as sent) and inflated with node:zlib; the live stream is never
 * held in a compressor; a compressed request body is not inflated by the platform.
 */

let t: TestPlatform;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with these headers, the body as it came off the socket (read for at most `ms`). */
function rawGet(path: string, headers: Record<string, string>, ms = 5_000): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.apiUrl}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      };
      const timer = setTimeout(() => {
        res.destroy();
        done();
      }, ms);
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", done);
      res.on("error", () => done());
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("compression", () => {
  it("sends the map's rows in Brotli to a client that accepts it, and the same JSON inflated", async () => {
    const plain = await rawGet("/api/v1/map/devices", { authorization: technician });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const br = await rawGet("/api/v1/map/devices", {
      authorization: technician,
      "accept-encoding": "br, gzip",
    });
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    const inflated = JSON.parse(brotliDecompressSync(br.body).toString("utf8")) as { rows: unknown[] };
    expect(inflated.rows).toEqual((JSON.parse(plain.body.toString("utf8")) as { rows: unknown[] }).rows);
  });

  it("falls back to gzip, and leaves small answers as they are", async () => {
    const gz = await rawGet("/api/v1/map/devices", { authorization: technician, "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gz.body).toString("utf8"))).toHaveProperty("rows");
    const small = await rawGet("/api/v1/me", { authorization: technician, "accept-encoding": "br, gzip" });
    expect(small.headers["content-encoding"]).toBeUndefined();
  });

  it("never compresses the live stream: its first event arrives as plain text", async () => {
    const sse = await rawGet(
      "/api/v1/events",
      { authorization: technician, "accept-encoding": "br, gzip" },
      1_500,
    );
    expect(sse.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(sse.headers["content-encoding"]).toBeUndefined();
    expect(sse.body.toString("utf8")).toMatch(/^(event|id|data|:)/m);
  });

  it("reads a compressed request body as sent: refused whole and kept in quarantine, nothing inflated", async () => {
    const body = gzipSync(
      JSON.stringify({ readings: [reading("lum-57038-0001", { power_state: "on", status: "ok" })] }),
    );
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: lumiere },
    });
    expect(res.status).toBe(422);
    const verdict = (await res.json()) as { accepted: number; quarantined: number };
    expect(verdict.accepted).toBe(0);
    expect(verdict.quarantined).toBeGreaterThan(0);
  });
});
