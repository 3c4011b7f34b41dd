import mqtt, { type MqttClient } from "mqtt";
import { type Container, em310For, FPORT } from "./lorawan-fleet.ts";
import { sleep, UsageMeter } from "./metrics.ts";
import { Waker } from "./waker.ts";

/**
 * ChirpStack v4 as the platform sees it: up events (JSON marshaler) published at QoS 1 on the
 * operator's broker, `application/{id}/device/{dev_eui}/event/up`, with `data` (base64 of the
 * EM310-UDL bytes) and no `object`, so Lanterne's own codec runs. `time` is the send time,
 * strictly increasing per device (the platform's latency is measured from it).
 *
 * Bounded by a window of publishes not yet acknowledged (PUBACK from the broker) and, when a
 * rate is given, by a token bucket (2 ms ticks, at most 20 ms of burst).
 */
export interface MqttRunSpec {
  rate?: number;
  seconds: number;
  window: number;
  drainMs: number;
}

export interface MqttRunResult {
  offered: number;
  sent: number;
  acked: number;
  errors: number;
  unfinished: number;
  publishMs: number;
  cores: number;
}

export const APPLICATION = "bench-app";

export class ChirpstackPublisher {
  private readonly fCnt: Uint32Array;
  private readonly lastTime: Float64Array;

  private constructor(
    private readonly client: MqttClient,
    private readonly fleet: readonly Container[],
  ) {
    this.fCnt = new Uint32Array(fleet.length);
    this.lastTime = new Float64Array(fleet.length);
  }

  static async connect(url: string, fleet: readonly Container[]): Promise<ChirpstackPublisher> {
    const client = await mqtt.connectAsync(url, {
      clientId: `bench-chirpstack-${process.pid}`,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    return new ChirpstackPublisher(client, fleet);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  async run(spec: MqttRunSpec): Promise<MqttRunResult> {
    const meter = new UsageMeter();
    const r: MqttRunResult = {
      offered: 0,
      sent: 0,
      acked: 0,
      errors: 0,
      unfinished: 0,
      publishMs: 0,
      cores: 0,
    };
    let inflight = 0;
    const waker = new Waker();
    const done = (err?: Error) => {
      inflight--;
      if (err) r.errors++;
      else r.acked++;
      waker.wake();
    };
    meter.mark();
    const start = performance.now();
    const end = start + spec.seconds * 1000;
    const burst = spec.rate === undefined ? 0 : Math.max(1, spec.rate / 50);
    let credit = 0;
    let lastTick = start;
    for (let now = start; now < end; now = performance.now()) {
      if (spec.rate !== undefined) {
        const due = (spec.rate * (now - lastTick)) / 1000;
        credit = Math.min(burst, credit + due);
        r.offered += due;
        lastTick = now;
      }
      while ((spec.rate === undefined || credit >= 1) && inflight < spec.window && this.client.connected) {
        inflight++;
        r.sent++;
        credit -= 1;
        this.publishOne(r.sent - 1, done);
      }
      if (!this.client.connected) break;
      await waker.sleep(2);
    }
    r.publishMs = performance.now() - start;
    r.offered = spec.rate === undefined ? r.sent : Math.round(r.offered);
    const drainEnd = performance.now() + spec.drainMs;
    while (inflight > 0 && performance.now() < drainEnd) await sleep(5);
    r.unfinished = inflight;
    r.cores = meter.read().cpuMs / Math.max(1, r.publishMs);
    return r;
  }

  private publishOne(seq: number, done: (err?: Error) => void): void {
    const i = seq % this.fleet.length;
    const c = this.fleet[i] as Container;
    const fCnt = (this.fCnt[i] ?? 0) + 1;
    this.fCnt[i] = fCnt;
    const time = Math.max(Date.now(), (this.lastTime[i] ?? 0) + 1);
    this.lastTime[i] = time;
    const event = {
      deduplicationId: `bench-${c.devEui}-${fCnt}`,
      time: new Date(time).toISOString(),
      deviceInfo: {
        tenantId: "bench",
        applicationId: APPLICATION,
        deviceName: c.deviceId,
        devEui: c.devEui,
      },
      devAddr: c.devAddr,
      fCnt,
      fPort: FPORT,
      data: em310For(c, fCnt).toString("base64"),
      rxInfo: [{ gatewayId: "aa555a0000000101", rssi: -97, snr: 7.5 }],
    };
    this.client.publish(
      `application/${APPLICATION}/device/${c.devEui}/event/up`,
      JSON.stringify(event),
      { qos: 1 },
      (err) => done(err ?? undefined),
    );
  }
}
