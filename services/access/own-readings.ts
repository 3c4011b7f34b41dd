import type { TimeSeriesStore } from "../storage/store.ts";
import type { Window } from "./periods.ts";

/**
 * Most windows are checked with one pair of counts; a window that mixes readings stored under
 * another operator is halved until its parts are pure, within this many pairs per request.
 */
const MAX_TALLIES = 64;

/**
 * The parts of the windows holding only readings stored under `operatorId`.
 *
 * The pipeline stores a reading under the operator assigned at the reading's time, so within an
 * operator's periods every reading is normally its own. They can differ when the inventory's
 * periods were corrected after the fact, or an archive was imported under another operator: the
 * periods alone would then show one operator another's readings. The store's series query has no
 * operator filter, but `countValues` has: a window where the operator's count equals the total is
 * pure; one with none of its readings is dropped; a mixed one is halved. When the budget runs out
 * or a window cannot be halved (two operators within one millisecond), the mixed part is dropped:
 * an operator may miss some of its own readings, never see another's.
 */
export async function ownWindows(
  store: Pick<TimeSeriesStore, "countValues">,
  deviceId: string,
  operatorId: string,
  windows: readonly Window[],
): Promise<Window[]> {
  const kept: Window[] = [];
  const pending = [...windows];
  // Tallies left for halves: every window given is tallied once whatever the budget.
  let spare = Math.max(0, MAX_TALLIES - windows.length);
  for (let w = pending.shift(); w !== undefined; w = pending.shift()) {
    const { own, all } = await tally(store, deviceId, operatorId, w);
    if (own === all) {
      if (all > 0) kept.push(w);
    } else if (own > 0 && w.to - w.from > 1 && spare >= 2) {
      spare -= 2;
      pending.push(...halves(w));
    }
  }
  return kept.sort((a, b) => a.from - b.from);
}

async function tally(
  store: Pick<TimeSeriesStore, "countValues">,
  deviceId: string,
  operatorId: string,
  w: Window,
): Promise<{ own: number; all: number }> {
  const range = { deviceIds: [deviceId], from: w.from, to: w.to };
  const [own, all] = await Promise.all([
    store.countValues({ ...range, operatorId }),
    store.countValues(range),
  ]);
  return { own, all };
}

function halves(w: Window): [Window, Window] {
  const middle = w.from + Math.floor((w.to - w.from) / 2);
  return [
    { from: w.from, to: middle },
    { from: middle, to: w.to },
  ];
}
