import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mergeSeries } from "../../services/access/buckets.ts";
import { createDeviceReads, type DeviceReadStore } from "../../services/access/device-reads.ts";
import { clipToPeriods, type Period, type Window } from "../../services/access/periods.ts";
import { type AccessPolicy, createAccessPolicy, type DeviceGrant } from "../../services/access/policy.ts";
import type { Principal } from "../../services/auth/principals.ts";
import { type ContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import type { Assignment, Device } from "../../services/domain/types.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";
import type { AggregateRow, DeviceState, SeriesBucket, SeriesQuery } from "../../services/storage/store.ts";
import { CCPHVA_DIR } from "../../territory/generate.ts";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
/** The lamp is handed over from lumiere-est to lumiere-nord at H. */
const H = Date.UTC(2026, 5, 1, 12);
const BEFORE = H - 60 * MIN;
const AFTER = H + 60 * MIN;

const who = {
  admin: { id: "admin", role: "admin" },
  technician: { id: "technicien", role: "technician" },
  outgoing: { id: "lumiere-est", role: "operator", operatorId: "lumiere-est" },
  incoming: { id: "lumiere-nord", role: "operator", operatorId: "lumiere-nord" },
  stranger: { id: "collecte-nord", role: "operator", operatorId: "collecte-nord" },
  nameless: { id: "x", role: "operator" },
  public: undefined,
} satisfies Record<string, Principal | undefined>;
type Who = keyof typeof who;

function lamp(id: string, assignments: Assignment[]): Device {
  return {
    id,
    domain: "streetlight",
    contractId: "ccphva-streetlight",
    ownerId: "ccphva",
    commune: "57038",
    lat: 49.47,
    lon: 5.95,
    attributes: {},
    assignments,
  };
}

const devices = [
  lamp("lum-handed", [
    { operatorId: "lumiere-est", from: T0, to: H },
    { operatorId: "lumiere-nord", from: H },
  ]),
  lamp("lum-kept", [{ operatorId: "lumiere-est", from: T0 }]),
  lamp("lum-later", [{ operatorId: "lumiere-nord", from: H + DAY }]),
];

const clock = fixedClock(BEFORE);
let policy: AccessPolicy;
let contracts: ContractRegistry;

beforeAll(async () => {
  contracts = await loadContractDir(join(CCPHVA_DIR, "contracts"));
  policy = createAccessPolicy({ devices: createDeviceIndex(devices, () => clock.now()), contracts, clock });
});

/** One policy for every row, its clock moved between them: decisions follow the clock, no restart. */
function at(time: number): void {
  clock.advance(time - clock.now());
}

function outcome(run: () => DeviceGrant): { status: number; holder?: string | null; periods?: Period[] } {
  try {
    const g = run();
    return { status: 200, holder: g.holder ?? null, ...(g.held ? { periods: [...g.held.periods] } : {}) };
  } catch (e) {
    return { status: (e as { statusCode: number }).statusCode };
  }
}

describe("access policy: one device", () => {
  const cases: { name: string; who: Who; id?: string; at: number; want: ReturnType<typeof outcome> }[] = [
    { name: "staff before", who: "technician", at: BEFORE, want: { status: 200, holder: "lumiere-est" } },
    { name: "staff after", who: "admin", at: AFTER, want: { status: 200, holder: "lumiere-nord" } },
    {
      name: "outgoing, holding it",
      who: "outgoing",
      at: BEFORE,
      want: { status: 200, holder: "lumiere-est", periods: [{ from: T0, to: H }] },
    },
    {
      name: "outgoing, past its end date",
      who: "outgoing",
      at: AFTER,
      want: { status: 200, holder: null, periods: [{ from: T0, to: H }] },
    },
    { name: "incoming, before its period", who: "incoming", at: BEFORE, want: { status: 403 } },
    {
      name: "incoming, at its first instant",
      who: "incoming",
      at: H,
      want: expect.objectContaining({ status: 200 }),
    },
    {
      name: "incoming, holding it",
      who: "incoming",
      at: AFTER,
      want: { status: 200, holder: "lumiere-nord", periods: [{ from: H }] },
    },
    { name: "an operator that never held it", who: "stranger", at: AFTER, want: { status: 403 } },
    { name: "an operator without an operator id", who: "nameless", at: AFTER, want: { status: 403 } },
    { name: "the public", who: "public", at: AFTER, want: { status: 401 } },
    {
      name: "a device not in the inventory",
      who: "technician",
      id: "lum-none",
      at: AFTER,
      want: { status: 404 },
    },
    {
      name: "a future assignment grants nothing yet",
      who: "incoming",
      id: "lum-later",
      at: AFTER,
      want: { status: 403 },
    },
  ];
  it.each(cases)("$name", (c) => {
    at(c.at);
    expect(outcome(() => policy.device(who[c.who], c.id ?? "lum-handed"))).toEqual(c.want);
  });
});

describe("access policy: listing", () => {
  const cases: { who: Who; at: number; filter?: { operator?: string }; want: string[] }[] = [
    { who: "technician", at: AFTER, want: ["lum-handed", "lum-kept", "lum-later"] },
    { who: "technician", at: AFTER, filter: { operator: "lumiere-nord" }, want: ["lum-handed"] },
    { who: "technician", at: BEFORE, filter: { operator: "lumiere-nord" }, want: [] },
    { who: "outgoing", at: BEFORE, want: ["lum-handed", "lum-kept"] },
    { who: "outgoing", at: AFTER, filter: { operator: "lumiere-nord" }, want: ["lum-handed", "lum-kept"] },
    { who: "incoming", at: BEFORE, want: [] },
    { who: "incoming", at: AFTER, want: ["lum-handed"] },
    { who: "incoming", at: H + DAY, want: ["lum-handed", "lum-later"] },
    { who: "stranger", at: AFTER, want: [] },
  ];
  it.each(cases)("$who at $at with $filter", (c) => {
    at(c.at);
    const ids = policy.listDevices(who[c.who], c.filter ?? {}).map((g) => g.device.id);
    expect(ids).toEqual(c.want);
  });
});

describe("access policy: readable windows", () => {
  const range = { from: H - 2 * 60 * MIN, to: H + 2 * 60 * MIN };
  const cases: { who: Who; want: Window[] }[] = [
    { who: "technician", want: [range] },
    { who: "outgoing", want: [{ from: range.from, to: H }] },
    { who: "incoming", want: [{ from: H, to: range.to }] },
  ];
  it.each(cases)("$who", (c) => {
    at(AFTER);
    expect(policy.windows(policy.device(who[c.who], "lum-handed"), range)).toEqual(c.want);
  });

  const clips: { name: string; periods: Period[]; want: Window[] }[] = [
    { name: "open period", periods: [{ from: 50 }], want: [{ from: 50, to: 100 }] },
    { name: "outside", periods: [{ from: 200, to: 300 }], want: [] },
    {
      name: "two periods",
      periods: [
        { from: 0, to: 20 },
        { from: 40, to: 60 },
      ],
      want: [
        { from: 10, to: 20 },
        { from: 40, to: 60 },
      ],
    },
    {
      name: "a renewal to the same operator is one window",
      periods: [
        { from: 0, to: 30 },
        { from: 30, to: 60 },
      ],
      want: [{ from: 10, to: 60 }],
    },
  ];
  it.each(clips)("clips to periods: $name", (c) => {
    expect(clipToPeriods(c.periods, { from: 10, to: 100 })).toEqual(c.want);
  });
});

describe("access policy: current state", () => {
  const state = (operatorId: string, time: number, older = time): DeviceState => ({
    deviceId: "lum-handed",
    domain: "streetlight",
    commune: "57038",
    operatorId,
    contract: "ccphva-streetlight@1.0.0",
    time,
    values: {
      active_power_w: { value: 40, time },
      status: { value: "ok", time: older },
      presence_count: { value: 3, time },
    },
  });
  const cases: { name: string; who: Who; at: number; state: DeviceState; want: string[] | null }[] = [
    {
      name: "an administrator sees personal fields",
      who: "admin",
      at: AFTER,
      state: state("lumiere-nord", H + MIN),
      want: ["active_power_w", "presence_count", "status"],
    },
    {
      name: "a technician does not",
      who: "technician",
      at: AFTER,
      state: state("lumiere-nord", H + MIN),
      want: ["active_power_w", "status"],
    },
    {
      name: "the holder sees its own newest reading",
      who: "outgoing",
      at: BEFORE,
      state: state("lumiere-est", BEFORE - MIN),
      want: ["active_power_w", "status"],
    },
    {
      name: "the outgoing operator, past its end date",
      who: "outgoing",
      at: AFTER,
      state: state("lumiere-est", H - MIN),
      want: null,
    },
    {
      name: "the incoming operator, newest reading the outgoing one's",
      who: "incoming",
      at: AFTER,
      state: state("lumiere-est", H - MIN),
      want: null,
    },
    {
      name: "the incoming operator, a field last sent before its period",
      who: "incoming",
      at: AFTER,
      state: state("lumiere-nord", H + MIN, H - MIN),
      want: ["active_power_w"],
    },
    {
      name: "its own name on a reading outside its periods",
      who: "incoming",
      at: AFTER,
      state: state("lumiere-nord", H - MIN),
      want: null,
    },
  ];
  it.each(cases)("$name", (c) => {
    at(c.at);
    const shown = policy.currentState(policy.device(who[c.who], "lum-handed"), c.state);
    expect(shown ? Object.keys(shown.values).sort() : null).toEqual(c.want);
  });
});

describe("access policy: fields, quarantine scope and aggregates", () => {
  const hidden: { who: Who; want: string[] }[] = [
    { who: "admin", want: [] },
    { who: "technician", want: ["presence_count"] },
    { who: "outgoing", want: ["presence_count"] },
    { who: "public", want: ["presence_count"] },
  ];
  it.each(hidden)("hides from $who: $want", (c) => {
    expect([...policy.hiddenFields(who[c.who], "ccphva-streetlight")]).toEqual(c.want);
  });

  const scopes: { who: Who; asked?: string; want: string | undefined | number }[] = [
    { who: "outgoing", asked: "lumiere-nord", want: "lumiere-est" },
    { who: "outgoing", want: "lumiere-est" },
    { who: "technician", asked: "lumiere-nord", want: "lumiere-nord" },
    { who: "admin", want: undefined },
    { who: "nameless", asked: "lumiere-est", want: "" },
    { who: "public", want: 401 },
  ];
  it.each(scopes)("limits $who asking for $asked to $want", (c) => {
    let scope: string | undefined | number;
    try {
      scope = policy.operatorScope(who[c.who], c.asked);
    } catch (e) {
      scope = (e as { statusCode: number }).statusCode;
    }
    expect(scope).toBe(c.want);
  });

  it("keeps aggregates for staff and opens only published fields over enough devices", () => {
    expect(() => policy.staffAggregates(who.outgoing)).toThrow(expect.objectContaining({ statusCode: 403 }));
    const staff = policy.staffAggregates(who.technician);
    const open = policy.publicAggregates();
    expect(open.groupBy).not.toContain("operator");
    const row = (field: string, devices: number): Pick<AggregateRow, "group" | "field" | "devices"> => ({
      group: { domain: "streetlight" },
      field,
      devices,
    });
    const rows: { row: ReturnType<typeof row>; staff: boolean; open: boolean }[] = [
      { row: row("active_power_w", 5), staff: true, open: true },
      { row: row("active_power_w", 4), staff: true, open: false },
      { row: row("status", 50), staff: true, open: false },
      { row: row("presence_count", 50), staff: false, open: false },
      { row: { ...row("active_power_w", 50), group: {} }, staff: true, open: false },
    ];
    for (const r of rows) {
      expect([staff.shows(r.row), open.shows(r.row)], JSON.stringify(r.row)).toEqual([r.staff, r.open]);
    }
  });
});

describe("series: an operator's own readings within its periods", () => {
  /**
   * lum-back goes from lumiere-est to lumiere-nord at H and back to lumiere-est at H + 30 min, so
   * lumiere-est reads two windows of the asked range. Each stored value is named after the
   * operator it was stored under and its minute from H.
   */
  const BACK = H + 30 * MIN;
  const back = lamp("lum-back", [
    { operatorId: "lumiere-est", from: T0, to: H },
    { operatorId: "lumiere-nord", from: H, to: BACK },
    { operatorId: "lumiere-est", from: BACK },
  ]);
  interface Stored {
    time: number;
    operatorId: string;
    name: string;
  }
  const est = (minute: number): Stored => ({
    time: H + minute * MIN,
    operatorId: "lumiere-est",
    name: `est${minute}`,
  });
  const nord = (minute: number): Stored => ({
    time: H + minute * MIN,
    operatorId: "lumiere-nord",
    name: `nord${minute}`,
  });

  /** The port's series over stored values, in time order; it records what it was asked. */
  function memorySeries(stored: readonly Stored[]) {
    const asked: SeriesQuery[] = [];
    const store: DeviceReadStore = {
      latest: async () => [],
      async series(q) {
        asked.push(q);
        const kept = stored
          .filter((s) => q.operatorId === undefined || s.operatorId === q.operatorId)
          .filter((s) => s.time >= q.from && s.time < q.to)
          .sort((a, b) => a.time - b.time);
        return bucketed(kept, q.resolutionMs);
      },
    };
    return { store, asked };
  }
  /** Raw: one point per value; bucketed: count and last value per bucket, as the stores do. */
  const bucketed = (kept: readonly Stored[], resolutionMs: number | undefined): SeriesBucket[] => {
    const point = (s: Stored): SeriesBucket => ({
      time: s.time,
      field: "active_power_w",
      count: 1,
      last: s.name,
    });
    if (resolutionMs === undefined) return kept.map(point);
    const byTime = new Map<number, SeriesBucket>();
    for (const s of kept) {
      const time = Math.floor(s.time / resolutionMs) * resolutionMs;
      byTime.set(time, { ...point(s), time, count: (byTime.get(time)?.count ?? 0) + 1 });
    }
    return [...byTime.values()];
  };

  async function read(whom: Who, stored: readonly Stored[], resolutionMs?: number) {
    at(BACK + 60 * MIN);
    const { store, asked } = memorySeries(stored);
    const backPolicy = createAccessPolicy({
      devices: createDeviceIndex([back], () => clock.now()),
      contracts,
      clock,
    });
    const reads = createDeviceReads({ policy: backPolicy, store, contracts });
    const range = { from: H - 120 * MIN, to: H + 120 * MIN };
    const answer = await reads.series(who[whom], "lum-back", {
      ...range,
      fields: ["active_power_w"],
      resolution: resolutionMs === undefined ? "raw" : String(resolutionMs),
      ...(resolutionMs === undefined ? {} : { resolutionMs }),
    });
    return { points: answer.points, asked };
  }

  const cases: { name: string; who: Who; stored: Stored[]; want: string[] }[] = [
    {
      name: "all its own, in both its periods",
      who: "outgoing",
      stored: [est(-90), est(-10), est(45)],
      want: ["est-90", "est-10", "est45"],
    },
    { name: "none stored", who: "outgoing", stored: [], want: [] },
    { name: "another's only", who: "outgoing", stored: [nord(-30), nord(50)], want: [] },
    {
      name: "another's in between",
      who: "outgoing",
      stored: [est(-90), nord(-60), est(-59), est(-1), nord(40), est(41)],
      want: ["est-90", "est-59", "est-1", "est41"],
    },
    // Once dropped as a mixed window that could not be halved: now the operator's own is kept.
    {
      name: "both within one millisecond",
      who: "outgoing",
      stored: [est(-10), est(-30), nord(-30)],
      want: ["est-30", "est-10"],
    },
    {
      name: "its own name within another's period",
      who: "outgoing",
      stored: [est(-1), est(10), est(31)],
      want: ["est-1", "est31"],
    },
    {
      name: "the period between, its own readings only",
      who: "incoming",
      stored: [nord(-45), est(5), nord(11), nord(15), nord(35)],
      want: ["nord11", "nord15"],
    },
    {
      name: "staff, every reading",
      who: "technician",
      stored: [est(-1), nord(-1), nord(10), est(40)],
      want: ["est-1", "nord-1", "nord10", "est40"],
    },
  ];
  it.each(cases)("$who: $name", async (c) => {
    const { points } = await read(c.who, c.stored);
    expect(points.map((p) => p.last)).toEqual(c.want);
  });

  it("asks the store once per period, under the operator's name (staff: once, every operator)", async () => {
    const outgoing = await read("outgoing", []);
    expect(outgoing.asked.map((q) => [q.from, q.to, q.operatorId])).toEqual([
      [H - 120 * MIN, H, "lumiere-est"],
      [BACK, H + 120 * MIN, "lumiere-est"],
    ]);
    const staff = await read("technician", []);
    expect(staff.asked.map((q) => [q.from, q.to, q.operatorId])).toEqual([
      [H - 120 * MIN, H + 120 * MIN, undefined],
    ]);
  });

  it("counts every reading of its own in a bucket spanning both its periods, and none of another's", async () => {
    const stored = [est(-90), est(-10), nord(-5), nord(10), est(10), est(45), nord(50)];
    const { points } = await read("outgoing", stored, DAY);
    expect(points.map((p) => [p.time, p.count, p.last])).toEqual([
      [new Date(Math.floor(H / DAY) * DAY).toISOString(), 3, "est45"],
    ]);
  });
});

describe("series of several windows", () => {
  const bucket = (time: number, count: number, mean: number, last: number): SeriesBucket => ({
    time,
    field: "active_power_w",
    count,
    mean,
    min: mean,
    max: mean,
    last,
  });
  it("merges a bucket cut by a window's edge and keeps the later last value", () => {
    const merged = mergeSeries([[bucket(0, 1, 10, 10)], [bucket(0, 3, 30, 35), bucket(3_600_000, 1, 5, 5)]]);
    expect(merged).toEqual([
      { time: 0, field: "active_power_w", count: 4, mean: 25, min: 10, max: 30, last: 35 },
      bucket(3_600_000, 1, 5, 5),
    ]);
  });
});
