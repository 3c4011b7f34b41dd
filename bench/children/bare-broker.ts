import { createServer } from "node:net";
import { Aedes } from "aedes";
import { createFastEmitter } from "../../gateway/broker/fast-emitter.ts";
import { serveParent } from "../ipc.ts";
import { UsageMeter } from "../metrics.ts";

/**
 * The ceiling: aedes with no hooks (anyone may connect and publish), the same O(1)-queue
 * emitter and concurrency as the platform's broker, and a counter of the messages it received.
 */
const CONCURRENCY = 1000;
const meter = new UsageMeter();
let received = 0;
let lastAt = 0;

async function start(): Promise<{ port: number; pid: number }> {
  const aedes = await Aedes.createBroker({ mq: createFastEmitter(CONCURRENCY), concurrency: CONCURRENCY });
  aedes.on("publish", (packet) => {
    if (packet.topic.startsWith("$SYS")) return;
    received++;
    lastAt = Date.now();
  });
  const server = createServer((socket) => aedes.handle(socket));
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
  closeAll = async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { port, pid: process.pid };
}

let closeAll = async () => {};

serveParent(start(), {
  mark: () => meter.mark(),
  stats: () => ({ received, lastAt, usage: meter.read() }),
  close: () => closeAll(),
});
