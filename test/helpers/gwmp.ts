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
