import type { Socket } from "node:dgram";
import { buildGwmp, type GatewayStat, loraRxpk, type Rxpk } from "../../gateway/lorawan/gwmp.ts";

/** An rxpk as a packet forwarder reports a frame it heard (SF7, EU868), `extra` overriding. */
export function rxpk(phy: Buffer, extra: Partial<Rxpk> = {}): Rxpk {
  return loraRxpk(phy, {
    time: "2026-11-23T10:00:00.123456Z",
    tmst: 3512348611,
    rssi: -97,
    lsnr: 7.5,
    ...extra,
  });
}

/** A PUSH_DATA datagram from a gateway. */
export function pushData(eui: string, token: number, rxpks: Rxpk[], stat?: GatewayStat): Buffer {
  return buildGwmp({
    type: "PUSH_DATA",
    token,
    gatewayEui: eui,
    body: { rxpk: rxpks, ...(stat ? { stat } : {}) },
  });
}

/**
 * The server's answer to the datagram a gateway sent with `token`, found by that token (bytes 1-2
 * of every GWMP answer) rather than taken as the next datagram to arrive: the acknowledgement of
 * an earlier datagram may still be on its way. Answers to other tokens are handed to `others`, in
 * the order they arrive. Call it before sending (a loopback answer can come back at once); an
 * answer that never comes is bounded by the test's own timeout, not by a deadline of its own.
 */
export function answerTo(socket: Socket, token: number, others?: (answer: Buffer) => void): Promise<Buffer> {
  return new Promise((resolve) => {
    const onMessage = (answer: Buffer) => {
      if (answer.length >= 3 && answer.readUInt16BE(1) === token) {
        socket.off("message", onMessage);
        resolve(answer);
      } else {
        others?.(answer);
      }
    };
    socket.on("message", onMessage);
  });
}
