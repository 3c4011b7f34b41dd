import { describe, expect, it } from "vitest";
import { eventDevices } from "../../bench/alerts.ts";
import { fleetRate, parseAlertsOptions, phaseSeconds } from "../../bench/alerts-args.ts";
import { CONTRACT_ID, RULES } from "../../bench/alerts-fleet.ts";
import { readingJson } from "../../bench/alerts-load.ts";
import {
  type AlertsResult,
  matchFaults,
  matchSilences,
  percentile,
  summaryLine,
  verdicts,
} from "../../bench/alerts-report.ts";
import type { ReceivedAlert } from "../../bench/alerts-sse.ts";

const alert = (
  subject: string,
  rule: string,
  at: number,
  receivedAt: number,
  event = "raised",
): ReceivedAlert => ({
  subject,
  rule: `${CONTRACT_ID}/${rule}`,
  at,
  receivedAt,
  event,
});

describe("alerts benchmark helpers", () => {
  it("takes nearest-rank percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });

  it("matches each fault to its own raised event by device, rule and reading time", () => {
    const faults = [
      { deviceId: "d1", kind: "state" as const, publishedAt: 1_000 },
      { deviceId: "d2", kind: "band" as const, publishedAt: 2_000 },
      { deviceId: "d3", kind: "state" as const, publishedAt: 3_000 },
    ];
    const received = [
      alert("d1", RULES.state, 1_000, 1_040),
      alert("d1", RULES.state, 1_500, 1_600, "cleared"),
      alert("d2", RULES.band, 2_000, 2_150),
      alert("d3", RULES.band, 3_000, 3_010),
    ];
    const m = matchFaults(faults, received, 0);
    expect(m).toMatchObject({ injected: 3, missed: 1, n: 2, p50: 40, max: 150 });
    expect(m.worst[0]).toEqual({ afterStartMs: 2_000, kind: "band", ms: 150 });
  });

  it("measures silences from the last reading and counts the unexpected ones", () => {
    const silenced = new Map([
      ["d1", 10_000],
      ["d2", 11_000],
    ]);
    const received = [alert("d1", RULES.silence, 10_000, 55_000), alert("d9", RULES.silence, 1, 60_000)];
    expect(matchSilences(silenced, received)).toMatchObject({
      silenced: 2,
      missed: 1,
      unexpected: 1,
      max: 45_000,
    });
  });

  it("gives each target its verdict and a one-line summary", () => {
    const options = parseAlertsOptions([]);
    const phase = (key: string, cpuUsPerMsg: number) => ({
      key,
      name: key,
      rulesOn: key === "B",
      offeredRate: 1,
      sent: 10,
      errors: 0,
      durable: 10,
      loss: 0,
      rate: 1,
      caughtUp: true,
      settled: true,
      cpuUsPerMsg,
      cores: 0.1,
      peakRssMb: 1,
      eventLoopMaxMs: 1,
      generatorCores: 0.1,
      rules: { evaluated: 30, raised: 0, cleared: 0, dropped: 0, failures: 0, states: 3 },
    });
    const result: AlertsResult = {
      options,
      rate: fleetRate(options),
      phaseSeconds: phaseSeconds(options),
      phases: [phase("A", 30), phase("B", 32)],
      faults: { injected: 2, missed: 0, n: 2, p50: 20, p99: 250, max: 250, worst: [] },
      failures: [],
    };
    const vs = verdicts(result);
    expect(vs.map((v) => [v.name, v.pass])).toEqual([
      ["fault publish -> SSE p99", false],
      ["ingest CPU/msg, rules on / off", true],
    ]);
    expect(summaryLine(result, vs)).toBe("alerts: FAIL — 1/2 targets met; failed: fault publish -> SSE p99");
  });

  it("plans the load of the issue and keeps silent and faulty devices apart", () => {
    const o = parseAlertsOptions([]);
    expect(fleetRate(o)).toBeCloseTo(20_000 / 3);
    expect(phaseSeconds(o)).toBe(75);
    const { silent, faulty } = eventDevices(1_000, 10, 50);
    expect(silent).toHaveLength(10);
    expect(new Set(faulty).size).toBe(50);
    expect(faulty.some((i) => silent.includes(i))).toBe(false);
  });

  it("writes a fault into an otherwise ordinary reading", () => {
    const ok = JSON.parse(readingJson("d1", 5, undefined));
    expect(ok).toMatchObject({ device: "d1", time: 5, data: { status: "ok", active_power_w: 48.2 } });
    expect(JSON.parse(readingJson("d1", 6, "state")).data.status).toBe("defectiveLamp");
    expect(JSON.parse(readingJson("d1", 7, "band")).data.active_power_w).toBe(900);
  });
});
