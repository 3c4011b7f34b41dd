import { buildGwmp, type GatewayStat, type Rxpk } from "../../gateway/lorawan/gwmp.ts";

/** An rxpk as a packet forwarder reports a frame it heard (SF7, EU868), `extra` overriding. */
export function rxpk(phy: Buffer, extra: Partial<Rxpk> = {}): Rxpk {
  return {
    time: "2026-11-23T10:00:00.123456Z",
    tmst: 3512348611,
    freq: 868.1,
    chan: 0,
    rfch: 0,
    stat: 1,
    modu: "LORA",
    datr: "SF7BW125",
    codr: "4/5",
    rssi: -97,
    lsnr: 7.5,
    size: phy.length,
    data: phy.toString("base64"),
    ...extra,
  };
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
