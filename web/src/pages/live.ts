import { getJson } from "../api.ts";
import { append, el, replaceChildren } from "../dom.ts";
import { pageLang } from "../i18n/common.ts";
import { live as words } from "../i18n/live.ts";
import { asFigures, LIVE, type LiveFigures } from "../live/types.ts";
import { changesText, liveView, showTime } from "../live/view.ts";
import { setUpPage } from "../page.ts";

/**
 * "Le territoire en direct" (`/en-direct`, `/live` in English): the public figures of the moment
 * (assets, reporting now, current outages, per domain and commune), drawn at once from
 * `/opendata/live.json`, then kept up to date by the `figures` events of `/opendata/live`
 * (Server-Sent Events, same origin). Public: it reads the open channel only.
 *
 * The status line says whether the page is live; it is a polite live region written only when
 * the state changes. A second polite region says what changed that matters (a domain's outages),
 * never the beat itself: the stream sends new figures every few seconds, at least their time.
 */

/** When the server refused the stream (too many listeners, a restart), it is opened again after. */
const REOPEN_MS = 15_000;

type State = "connecting" | "live" | "reconnecting" | "interrupted";

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/live"]);
  const t = words[lang];
  setUpPage(lang, t);
  const stateLine = byId("live-state", HTMLElement);
  const stateText = byId("live-state-text", HTMLElement);
  const at = byId("at", HTMLElement);
  const loadStatus = byId("load-status", HTMLElement);
  const changes = byId("changes", HTMLElement);
  const view = liveView(byId("domains", HTMLElement), lang);

  const setState = (state: State) => {
    if (stateLine.dataset.state === state && stateText.dataset.i18n === undefined) return;
    delete stateText.dataset.i18n;
    stateLine.dataset.state = state;
    stateText.textContent = t[state];
  };

  let last: LiveFigures | undefined;
  const show = (figures: LiveFigures) => {
    const said = changesText(last, figures, lang);
    if (said !== "") changes.textContent = said;
    view.show(figures);
    replaceChildren(at, el("time", { datetime: figures.at }, showTime(figures.at, lang)));
    replaceChildren(loadStatus);
    last = figures;
  };

  try {
    const first = asFigures(await getJson<unknown>(LIVE.snapshot));
    if (first) show(first);
  } catch {
    replaceChildren(loadStatus);
    append(loadStatus, `${t.loadFailed} `, el("a", { href: LIVE.snapshot }, LIVE.snapshot));
  }

  setState("connecting");
  const open = () => {
    const source = new EventSource(LIVE.stream);
    source.addEventListener("open", () => setState("live"));
    source.addEventListener("figures", (message) => {
      if (!(message instanceof MessageEvent) || typeof message.data !== "string") return;
      try {
        const figures = asFigures(JSON.parse(message.data));
        if (figures) show(figures);
      } catch {
        // A message that is not JSON is left aside; the next one will do.
      }
      setState("live");
    });
    source.addEventListener("error", () => {
      // EventSource reconnects by itself (CONNECTING); a refusal closes it for good (CLOSED).
      if (source.readyState !== EventSource.CLOSED) {
        setState("reconnecting");
        return;
      }
      setState("interrupted");
      window.setTimeout(open, REOPEN_MS);
    });
  };
  open();
}

void main();
