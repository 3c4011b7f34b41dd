import { afterEach, describe, expect, it } from "vitest";
import type { FieldValue, Observation } from "../../services/domain/types.ts";
import type { ArchiveSource } from "../../services/storage/archive.ts";
import type {
  DeviceRollup,
  DeviceStateRollup,
  GroupRollup,
  GroupStateRollup,
  RollupStore,
  StateRollupStore,
  TimeSeriesStore,
} from "../../services/storage/store.ts";

/**
 * The archive port (services/storage/archive.ts) every adapter owes `lanterne export`, asserted
 * through the port only. `make` returns a started, empty store isolated from the other tests;
 * it is called twice in the write-back cases (the source, then the target).
 */
export type ArchiveCapableStore = TimeSeriesStore &
  RollupStore &
  StateRollupStore &
  ArchiveSource & { close(): Promise<void> };

const HOUR = 3_600_000;
/** Monday 6 January 2025, midnight UTC. */
const T0 = Date.UTC(2025, 0, 6);
/** Upper bound of pages read by any case: a broken cursor fails the case instead of looping. */
const MAX_PAGES = 1_000;

function reading(
  deviceId: string,
  time: number,
  values: Record<string, FieldValue>,
  attributes: Partial<Omit<Observation, "deviceId" | "time" | "values">> = {},
): Observation {
  return {
    deviceId,
    time,
    domain: "streetlight",
    commune: "57038",
    ownerId: "ccphva",
    operatorId: "op-a",
    contract: "streetlight@1",
    ...attributes,
    values,
  };
}

/** Every page, each checked against the page size. */
async function pagesOf<T>(iterable: AsyncIterable<T[]>, pageSize?: number): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of iterable) {
    expect(page.length).toBeGreaterThan(0);
    if (pageSize !== undefined) expect(page.length).toBeLessThanOrEqual(pageSize);
    pages.push(page);
    if (pages.length > MAX_PAGES) throw new Error("the scan did not end");
  }
  return pages;
}

async function all<T>(iterable: AsyncIterable<T[]>, pageSize?: number): Promise<T[]> {
  return (await pagesOf(iterable, pageSize)).flat();
}

function keyOf(o: Observation): string {
  return JSON.stringify([o.time, o.deviceId, o.domain, o.commune, o.ownerId, o.operatorId, o.contract]);
}

/** Many devices at the same instants, a second series of one device, the three value types. */
function fleet(): Observation[] {
  const out: Observation[] = [];
  for (let step = 0; step < 3; step++) {
    for (let d = 0; d < 23; d++) {
      const id = `lamp-${String(d).padStart(2, "0")}`;
      out.push(reading(id, T0 + step * HOUR, { power_w: d + step / 2, on: d % 2 === 0, mode: `m${d % 3}` }));
    }
  }
  // The same device and instant under another operator: its own series, its own item.
  out.push(reading("lamp-05", T0 + HOUR, { power_w: 99 }, { operatorId: "op-b" }));
  out.push(reading("lamp-07", T0 + 2 * HOUR + 1, { power_w: 1.25 }, { operatorId: "op-b" }));
  return out;
}

function sortedLikeTheScan(observations: readonly Observation[]): Observation[] {
  return [...observations].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function deviceRollup(time: number, deviceId: string, field: string, operatorId = "op-a"): DeviceRollup {
  return {
    tier: "1h",
    time,
    deviceId,
    domain: "streetlight",
    commune: "57038",
    operatorId,
    field,
    count: 6,
    mean: 2.5,
    min: 1,
    max: 4,
  };
}

export function archiveConformance<S extends ArchiveCapableStore>(
  name: string,
  make: () => Promise<S>,
): void {
  describe(`${name} archive scans`, () => {
    const opened: S[] = [];
    async function fresh(): Promise<S> {
      const store = await make();
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it("yields nothing from an empty store", async () => {
      const store = await fresh();
      expect(await all(store.scanReadings({}))).toEqual([]);
      expect(await all(store.scanDeviceRollups({ tier: "1h" }))).toEqual([]);
      expect(await all(store.scanGroupStateRollups({ tier: "1d" }))).toEqual([]);
    });

    it("reads readings in (time, device) order, one item per series and instant, values as stored", async () => {
      const store = await fresh();
      const written = fleet();
      await store.write(written);
      const scanned = await all(store.scanReadings({}));
      expect(scanned).toEqual(sortedLikeTheScan(written));
      const latest = await store.latest({ deviceIds: ["lamp-04"] });
      const last = scanned.filter((o) => o.deviceId === "lamp-04").at(-1);
      for (const [field, value] of Object.entries(last?.values ?? {}))
        expect(latest[0]?.values[field]?.value).toStrictEqual(value);
    });

    it("pages across instants shared by many devices without skipping or repeating", async () => {
      const store = await fresh();
      const written = fleet();
      await store.write(written);
      for (const pageSize of [1, 4, 7, 23, 24]) {
        const pages = await pagesOf(store.scanReadings({ pageSize }), pageSize);
        expect(pages.flat().map(keyOf)).toEqual(sortedLikeTheScan(written).map(keyOf));
        expect(pages.some((p) => p.length === pageSize)).toBe(true);
      }
    });

    it("filters on a half-open range, an operator and devices", async () => {
      const store = await fresh();
      const written = fleet();
      await store.write(written);
      const expected = (keep: (o: Observation) => boolean) =>
        sortedLikeTheScan(written.filter(keep)).map(keyOf);
      const scan = async (q: Parameters<ArchiveSource["scanReadings"]>[0]) =>
        (await all(store.scanReadings({ pageSize: 5, ...q }))).map(keyOf);
      expect(await scan({ from: T0 + HOUR, to: T0 + 2 * HOUR })).toEqual(
        expected((o) => o.time >= T0 + HOUR && o.time < T0 + 2 * HOUR),
      );
      expect(await scan({ from: T0 + 2 * HOUR + 1 })).toEqual(expected((o) => o.time >= T0 + 2 * HOUR + 1));
      expect(await scan({ operatorId: "op-b" })).toEqual(expected((o) => o.operatorId === "op-b"));
      expect(await scan({ deviceIds: ["lamp-05", "lamp-21"] })).toEqual(
        expected((o) => o.deviceId === "lamp-05" || o.deviceId === "lamp-21"),
      );
      expect(await scan({ deviceIds: [] })).toEqual([]);
      expect(await scan({ deviceIds: ["lamp-05"], operatorId: "op-a", to: T0 + 2 * HOUR })).toEqual(
        expected((o) => o.deviceId === "lamp-05" && o.operatorId === "op-a" && o.time < T0 + 2 * HOUR),
      );
    });

    it("keeps strings, booleans and numbers apart", async () => {
      const store = await fresh();
      const values = { text: "42", flag: false, yes: "true", n: 0, neg: -1.5, big: 1e15 };
      await store.write([reading("lamp-x", T0, values)]);
      const [only] = await all(store.scanReadings({}));
      expect(only?.values).toStrictEqual(values);
    });

    it("writes back into an empty store to the same scan", async () => {
      const source = await fresh();
      await source.write(fleet());
      await source.write([reading("odd,id =x", T0 + 5, { "a field": 'x"y\\z', b: true }, { commune: "" })]);
      const target = await fresh();
      for await (const page of source.scanReadings({ pageSize: 10 })) await target.write(page);
      expect(await all(target.scanReadings({ pageSize: 3 }))).toEqual(await all(source.scanReadings({})));
      expect(await target.countValues({})).toBe(await source.countValues({}));
    });

    it("scans device and group rollups, numeric and state, in order and filtered", async () => {
      const store = await fresh();
      const devices: DeviceRollup[] = [];
      for (let h = 0; h < 3; h++) {
        for (const id of ["b", "a", "c"]) {
          devices.push(
            deviceRollup(T0 + h * HOUR, id, "power_w"),
            deviceRollup(T0 + h * HOUR, id, "energy_kwh"),
          );
        }
      }
      devices.push({ ...deviceRollup(T0, "d", "power_w", "op-b"), sum: 3.5 });
      await store.writeDeviceRollups(devices);
      const order = (r: { time: number; deviceId: string; field: string }) =>
        JSON.stringify([r.time, r.deviceId, r.field]);
      const sortedDevices = [...devices].sort((x, y) => (order(x) < order(y) ? -1 : 1));
      expect(await all(store.scanDeviceRollups({ tier: "1h", pageSize: 4 }), 4)).toEqual(sortedDevices);
      expect(await all(store.scanDeviceRollups({ tier: "1d" }))).toEqual([]);
      expect(await all(store.scanDeviceRollups({ tier: "1h", operatorId: "op-b" }))).toEqual(
        sortedDevices.filter((r) => r.operatorId === "op-b"),
      );
      expect(
        await all(
          store.scanDeviceRollups({ tier: "1h", deviceIds: ["a"], from: T0 + HOUR, to: T0 + 2 * HOUR }),
        ),
      ).toEqual(sortedDevices.filter((r) => r.deviceId === "a" && r.time === T0 + HOUR));

      const states: DeviceStateRollup[] = ["on", "off"].flatMap((state) =>
        ["b", "a"].map((deviceId) => ({
          tier: "1h" as const,
          time: T0,
          deviceId,
          domain: "streetlight",
          commune: "57038",
          operatorId: "op-a",
          field: "lamp",
          state,
          seconds: 1800,
          count: 2,
        })),
      );
      await store.writeDeviceStateRollups(states);
      const stateOrder = (r: DeviceStateRollup) => JSON.stringify([r.time, r.deviceId, r.field, r.state]);
      expect(await all(store.scanDeviceStateRollups({ tier: "1h", pageSize: 3 }), 3)).toEqual(
        [...states].sort((x, y) => (stateOrder(x) < stateOrder(y) ? -1 : 1)),
      );

      const groups: GroupRollup[] = ["57039", "57038"].flatMap((commune) =>
        [T0 + HOUR, T0].map((time) => ({
          tier: "1d" as const,
          time,
          commune,
          domain: "streetlight",
          field: "power_w",
          count: 10,
          devices: 2,
          mean: 3,
          min: 1,
          max: 5,
        })),
      );
      await store.writeGroupRollups(groups);
      const groupOrder = (r: GroupRollup) => JSON.stringify([r.time, r.commune, r.domain, r.field]);
      expect(await all(store.scanGroupRollups({ tier: "1d", pageSize: 1 }), 1)).toEqual(
        [...groups].sort((x, y) => (groupOrder(x) < groupOrder(y) ? -1 : 1)),
      );
      expect(await all(store.scanGroupRollups({ tier: "1d", from: T0 + 1 }))).toHaveLength(2);

      const groupStates: GroupStateRollup[] = ["on", "off"].map((state) => ({
        tier: "1h",
        time: T0,
        commune: "57038",
        domain: "streetlight",
        field: "lamp",
        state,
        seconds: 3600,
        count: 4,
        devices: 2,
      }));
      await store.writeGroupStateRollups(groupStates);
      expect(await all(store.scanGroupStateRollups({ tier: "1h", pageSize: 1 }), 1)).toEqual([
        groupStates[1],
        groupStates[0],
      ]);
    });

    it("refuses a page size that would not bound memory", async () => {
      const store = await fresh();
      const scan = async () => all(store.scanReadings({ pageSize: 0 }));
      await expect(scan()).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
    });
  });
}
