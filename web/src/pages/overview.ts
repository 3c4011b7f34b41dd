import { replaceChildren } from "../dom.ts";
import { feedHealth } from "../domains/feed-health.ts";
import { dateTime } from "../domains/format.ts";
import { load } from "../domains/load.ts";
import { operatorView } from "../domains/operator-view.ts";
import { staffView } from "../domains/overview-view.ts";
import type { DeviceList, OverviewAnswer, QuarantinePage, ToCollectAnswer } from "../domains/types.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { overview } from "../i18n/overview.ts";
import { setUpPage } from "../page.ts";
import { mountShell } from "../shell.ts";

/**
 * The overview (`/`, `?lang=en` in English). Staff see every domain at once
 * (`GET /api/v1/overview`). An operator sees its own view instead, built from what the API gives
 * it, and the staff's figures are not asked for.
 */

const QUARANTINE_SHOWN = 10;

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/overview"]);
  setUpPage(lang, overview[lang]);
  const me = await mountShell({ active: "overview", lang });
  if (me.role === "operator") await showOperator(lang);
  else await showStaff(lang);
}

function status(text: string): void {
  const node = document.getElementById("status");
  if (node) node.textContent = text;
}

async function showStaff(lang: Lang): Promise<void> {
  const t = overview[lang];
  const view = document.getElementById("staff-view");
  if (!view) return;
  status(t.loading);
  const answer = await load<OverviewAnswer>(lang, "/api/v1/overview");
  if (!answer.ok) {
    status(answer.forbidden ? t.forbidden : t.loadFailed);
    return;
  }
  replaceChildren(view, ...staffView(lang, answer.value));
  view.hidden = false;
  status(fill(t.loaded, { at: dateTime(lang, answer.value.at) }));
}

async function showOperator(lang: Lang): Promise<void> {
  const t = overview[lang];
  const view = document.getElementById("operator-view");
  const intro = document.getElementById("intro");
  if (!view) return;
  if (intro) intro.textContent = t.operatorIntro;
  status(t.loading);
  const devices = await load<DeviceList>(lang, "/api/v1/devices");
  if (!devices.ok) {
    status(t.loadFailed);
    return;
  }
  const health = feedHealth(devices.value, Date.now());
  const [quarantine, waste] = await Promise.all([
    load<QuarantinePage>(lang, `/api/v1/quarantine?limit=${QUARANTINE_SHOWN}`),
    health.perDomain.has("waste_container")
      ? load<ToCollectAnswer>(lang, "/api/v1/waste/to-collect?format=json")
      : Promise.resolve(null),
  ]);
  replaceChildren(
    view,
    ...operatorView(
      lang,
      health,
      quarantine.ok ? quarantine.value : null,
      waste?.ok ? waste.value.count : null,
    ),
  );
  view.hidden = false;
  status(fill(t.loaded, { at: dateTime(lang, new Date().toISOString()) }));
}

void main();
