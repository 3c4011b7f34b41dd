import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

/**
 * The platform as `npm start` wires it, with a webhooks file: a reading that fires a contract rule
 * reaches a real HTTP receiver, signed with the shared secret.
 */

const SECRET = "a-shared-secret-for-the-gmao";
const LAMP = "lum-57038-0003";
let t: TestPlatform;
let receiver: Server;
let hooksDir: string | undefined;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;
  hooksDir = mkdtempSync(join(tmpdir(), "lanterne-hooks-"));
  const dir = join(hooksDir, "webhooks.yaml");
  writeFileSync(
    dir,
    `webhooks:\n  - name: gmao\n    url: http://127.0.0.1:${port}/hook\n    secret: ${SECRET}\n    events: { domains: [streetlight] }\n`,
  );
  t = await startTestPlatform({ webhooksFile: dir });
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  if (hooksDir) rmSync(hooksDir, { recursive: true, force: true });
});

describe("alert webhooks on the platform", () => {
  it("posts a signed alert transition when a reading fires a rule", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      body: JSON.stringify({ readings: [reading(LAMP, { power_state: "on", status: "defectiveLamp" })] }),
      headers: {
        "content-type": "application/json",
        authorization: basic("lumiere-est", DEMO_SECRETS["lumiere-est"]),
      },
    });
    expect(res.status).toBeLessThan(300);
    const hit = await eventually(async () =>
      received.find(
        (r) =>
          (JSON.parse(r.body) as { change: { alert: { subject: string } } }).change.alert.subject === LAMP,
      ),
    );
    const timestamp = String(hit.headers["x-lanterne-timestamp"]);
    const expected = createHmac("sha256", SECRET).update(`${timestamp}.${hit.body}`).digest("hex");
    const given = String(hit.headers["x-lanterne-signature"]).replace(/^sha256=/, "");
    expect(timingSafeEqual(Buffer.from(given, "hex"), Buffer.from(expected, "hex"))).toBe(true);
    expect(hit.headers["x-lanterne-event"]).toBe("alert.raised");
    const body = JSON.parse(hit.body) as { delivery: string; device: { state: string } | null };
    expect(String(hit.headers["x-lanterne-delivery"])).toBe(body.delivery);
    expect(body.device?.state).toBe("fault");
  });
});
