import { createServer } from "node:net";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MqttFollower } from "../../gateway/sources/mqtt-follower.ts";
import { eventually } from "../helpers/platform.ts";
import { freePort } from "../helpers/process.ts";

/**
 * The follower against a real broker over TCP: messages flow without waiting for each other's
 * durability, and a message whose durability never came is not acknowledged: the broker sends
 * it again to the next connection of the same session.
 */
describe("MQTT follower (acknowledges once durable, many in flight)", () => {
  let port: number;
  let close: () => Promise<void>;
  beforeAll(async () => {
    port = await freePort();
    const aedes = await Aedes.createBroker();
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    close = () => new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
  });
  afterAll(async () => {
    await close?.();
  });

  it("reads messages while earlier ones wait, and gets back only those it never acknowledged", async () => {
    const seen: string[] = [];
    const pending = new Map<string, () => void>();
    const follower = new MqttFollower(
      { url: `mqtt://127.0.0.1:${port}`, clientId: "lanterne-follower-test", subscriptions: ["events/#"] },
      (_topic, payload) => {
        seen.push(payload.toString());
        return new Promise<void>((resolve) => pending.set(payload.toString(), resolve));
      },
    );
    await follower.start();
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    for (const n of ["m1", "m2", "m3", "m4"]) await publisher.publishAsync("events/x", n, { qos: 1 });
    // All four arrive although none is durable yet (mqtt.js would stop at the first).
    await eventually(async () => seen.length === 4);
    // m1 and m2 become durable: their PUBACKs go; m3 and m4 never do.
    pending.get("m1")?.();
    pending.get("m2")?.();
    await new Promise((r) => setTimeout(r, 200));
    // m4 never becomes durable: close gives up waiting for it (bounded) and disconnects.
    await follower.close();
    const again: string[] = [];
    const next = new MqttFollower(
      { url: `mqtt://127.0.0.1:${port}`, clientId: "lanterne-follower-test", subscriptions: ["events/#"] },
      async (_topic, payload) => {
        again.push(payload.toString());
      },
    );
    await next.start();
    await eventually(async () => again.includes("m4"));
    expect(again).not.toContain("m1");
    expect(again).not.toContain("m2");
    await next.close();
    await publisher.endAsync();
  });

  it("does not acknowledge a message it could not make durable: it comes back", async () => {
    const attempts: string[] = [];
    const follower = new MqttFollower(
      {
        url: `mqtt://127.0.0.1:${port}`,
        clientId: "lanterne-follower-failing",
        subscriptions: ["failing/#"],
        reconnectMs: 100,
      },
      async (_topic, payload) => {
        attempts.push(payload.toString());
        if (attempts.filter((a) => a === "f1").length === 1 && payload.toString() === "f1")
          throw new Error("store unavailable");
      },
    );
    await follower.start();
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    await publisher.publishAsync("failing/x", "f1", { qos: 1 });
    await eventually(async () => attempts.filter((a) => a === "f1").length >= 2, 5_000);
    expect(follower.failures).toBe(1);
    await follower.close();
    await publisher.endAsync();
  });
});
