import { ApiError, getJson } from "../api.ts";
import type { AlertPage, AlertView } from "../desk/types.ts";
import { fieldChart } from "../device/chart.ts";
import { textTable, when } from "../device/format.ts";
import { alertHistory, identity, latestValues, quarantineList, violationTable } from "../device/sections.ts";
import {
  bandsOf,
  contractOf,
  fieldOf,
  fieldSeries,
  fittingResolution,
  isPeriod,
  isResolution,
  numericFields,
  type Period,
  type Resolution,
  seriesPath,
  showValue,
  stateFields,
  stateSeries,
} from "../device/series.ts";
import type {
  Contract,
  DeviceView,
  QuarantinePage,
  RuleEntry,
  SeriesAnswer,
  ViolationPage,
} from "../device/types.ts";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { device as words } from "../i18n/devices.ts";
import { setUpPage } from "../page.ts";
import { localPath, mountShell, orLogin } from "../shell.ts";

/**
 * A device's page (`/equipements/<id>`, `/devices/<id>` in English): its identity and contract,
 * its latest values, a chart per numeric field over the period and resolution chosen (with the
 * contract's bands and a table of the same points), its alert history, its quarantined messages
 * and dropped values. Staff see any device; an operator its own, within the periods it held it.
 */

interface State {
  lang: Lang;
  id: string;
  device: DeviceView;
  contract: Contract | undefined;
  rules: RuleEntry[];
}

function idFromPath(pathname: string): string {
  const last = pathname.split("/").filter(Boolean).at(-1) ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const englishPath = window.location.pathname.startsWith("/devices/");
  const lang = pageLang(window.location, englishPath ? [window.location.pathname] : []);
  const t = words[lang];
  setUpPage(lang, t);
  const id = idFromPath(window.location.pathname);
  const status = byId("status");
  byId("back").setAttribute("href", localPath("/equipements", lang));
  await mountShell({ active: "devices", lang });
  byId("heading").textContent = fill(t.heading, { id });
  document.title = `${fill(t.heading, { id })} — Lanterne`;
  status.textContent = t.loading;
  let device: DeviceView;
  try {
    device = await orLogin(lang, () => getJson<DeviceView>(`/api/v1/devices/${encodeURIComponent(id)}`));
  } catch (err) {
    const refused =
      err instanceof ApiError && (err.status === 404 || err.status === 403 || err.status === 400);
    status.textContent = refused ? t.notFound : t.loadFailed;
    status.classList.add("notice");
    return;
  }
  const [contracts, register] = await Promise.all([
    getJson<Contract[]>("/api/v1/contracts").catch(() => [] as Contract[]),
    getJson<{ rules: RuleEntry[] }>("/api/v1/algorithms").catch(() => ({ rules: [] as RuleEntry[] })),
  ]);
  const contractId = device.state?.contract;
  const state: State = {
    lang,
    id,
    device,
    contract: contractOf(contracts, device, Date.now(), contractId),
    rules: register.rules,
  };
  status.textContent = "";
  for (const section of document.querySelectorAll<HTMLElement>("[data-device-section]"))
    section.hidden = false;
  replaceChildren(byId("identity"), identity(lang, device, state.contract));
  replaceChildren(byId("latest"), latestValues(lang, device, state.contract));
  setUpCharts(state);
  await Promise.all([showAlerts(state), showQuarantine(state), showViolations(state)]);
}

function setUpCharts(state: State): void {
  const form = byId("series-controls");
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => void drawCharts(state));
  void drawCharts(state);
}

let drawing = 0;

async function drawCharts(state: State): Promise<void> {
  const t = words[state.lang];
  const resolutionPicker = byId("resolution") as HTMLSelectElement;
  const periodPicker = byId("period") as HTMLSelectElement;
  const period: Period = isPeriod(periodPicker.value) ? periodPicker.value : "24h";
  const asked: Resolution = isResolution(resolutionPicker.value) ? resolutionPicker.value : "raw";
  const resolution = fittingResolution(asked, period);
  const status = byId("series-status");
  const charts = byId("charts");
  const turn = ++drawing;
  status.textContent = t.seriesLoading;
  let answer: SeriesAnswer;
  try {
    answer = await orLogin(state.lang, () =>
      getJson<SeriesAnswer>(seriesPath(state.id, resolution, period, Date.now())),
    );
  } catch {
    if (turn === drawing) status.textContent = t.seriesFailed;
    return;
  }
  if (turn !== drawing) return;
  const notes: string[] = [];
  if (resolution !== asked) {
    const option = resolutionPicker.querySelector<HTMLOptionElement>(`option[value="${resolution}"]`);
    notes.push(fill(t.seriesCoarser, { res: option?.textContent ?? resolution }));
  }
  const numeric = numericFields(answer.points);
  const states = stateFields(answer.points);
  notes.push(answer.points.length === 0 ? t.seriesNone : fill(t.seriesCount, { n: answer.points.length }));
  status.textContent = notes.join(" ");
  const contractId = state.contract?.id ?? "";
  const parts: HTMLElement[] = numeric.map((field, index) =>
    fieldChart({
      lang: state.lang,
      index,
      series: fieldSeries(answer.points, field),
      unit: fieldOf(state.contract, field)?.unit,
      bands: bandsOf(state.rules, contractId, field),
    }),
  );
  if (states.length > 0) parts.push(stateTables(state, answer, states));
  replaceChildren(charts, ...parts);
}

/** The state fields (on/off, status) as a table of their values over time. */
function stateTables(state: State, answer: SeriesAnswer, fields: readonly string[]): HTMLElement {
  const t = words[state.lang];
  const section = el(
    "section",
    { class: "chart", "aria-labelledby": "etats-titre" },
    el("h3", { id: "etats-titre" }, t.states),
  );
  for (const field of fields) {
    const rows = stateSeries(answer.points, field).map((p) => [
      when(p.time, state.lang),
      showValue(p.value, undefined),
    ]);
    section.append(el("div", { class: "table-scroll" }, textTable(field, [t.colTime, t.colValue], rows)));
  }
  return section;
}

async function showAlerts(state: State): Promise<void> {
  const t = words[state.lang];
  const target = byId("alert-history");
  try {
    const q = encodeURIComponent(state.id);
    const domain = encodeURIComponent(state.device.domain);
    // Correlated alerts (a cabinet's lamps) name the device among their children, not as subject.
    const [own, grouped] = await Promise.all([
      orLogin(state.lang, () => getJson<AlertPage>(`/api/v1/alerts?subject=${q}&limit=200`)),
      getJson<AlertPage>(`/api/v1/alerts?domain=${domain}&limit=500`).catch(() => ({
        entries: [],
        next: null,
      })),
    ]);
    const groups = grouped.entries.filter((a) => a.subject !== state.id && a.children.includes(state.id));
    const all: AlertView[] = [...own.entries, ...groups].sort((a, b) => b.id - a.id);
    replaceChildren(target, alertHistory(state.lang, state.id, all));
  } catch {
    replaceChildren(target, el("p", {}, t.alertsFailed));
  }
}

async function showQuarantine(state: State): Promise<void> {
  const t = words[state.lang];
  const target = byId("quarantine");
  try {
    const q = encodeURIComponent(state.id);
    const page = await orLogin(state.lang, () =>
      getJson<QuarantinePage>(`/api/v1/quarantine?device=${q}&limit=50`),
    );
    replaceChildren(target, quarantineList(state.lang, page.entries));
  } catch {
    replaceChildren(target, el("p", {}, t.quarantineFailed));
  }
}

async function showViolations(state: State): Promise<void> {
  const target = byId("violations");
  try {
    const q = encodeURIComponent(state.id);
    const page = await orLogin(state.lang, () =>
      getJson<ViolationPage>(`/api/v1/violations?device=${q}&limit=50`),
    );
    replaceChildren(target, violationTable(state.lang, page.entries));
  } catch {
    replaceChildren(target, el("p", {}, words[state.lang].loadFailed));
  }
}

void main();
