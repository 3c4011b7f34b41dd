import { ApiError, getJson } from "../api.ts";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { kindName, community as words } from "../i18n/community.ts";
import { safeHref } from "./format.ts";

/**
 * Re-users on the public pages: the published reuses of the open data and the answered
 * questions (services/api/routes/community.ts, under /opendata), and the two forms that declare
 * a reuse or ask a question. Every string from the API goes in as text; a reuse's URL is a link
 * only when it is http(s), marked rel="nofollow ugc noopener" (user content, not endorsed).
 */

export interface PublicReuse {
  id: number;
  title: string;
  url: string;
  description: string;
  datasets: string[];
  kind: string;
  declared_at: string;
  published_at: string | null;
}

export interface PublicQuestion {
  id: number;
  dataset: string | null;
  text: string;
  asked_at: string;
  answer: { text: string; answered_at: string } | null;
}

export const COMMUNITY = {
  reuses: (query: URLSearchParams) => `/opendata/reuses?${query.toString()}`,
  questions: (query: URLSearchParams) => `/opendata/questions?${query.toString()}`,
  postReuse: "/opendata/reuses",
  postQuestion: "/opendata/questions",
} as const;

/** Pages of reuses read at most (100 each) for one list. */
const MAX_PAGES = 10;

/** Every published reuse (of one dataset, or all), newest first, page after page. */
export async function publishedReuses(dataset?: string): Promise<PublicReuse[]> {
  const all: PublicReuse[] = [];
  let before: number | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: "100" });
    if (dataset !== undefined) query.set("dataset", dataset);
    if (before !== null) query.set("before", String(before));
    const answer: { reuses: PublicReuse[]; next_before: number | null } = await getJson(
      COMMUNITY.reuses(query),
    );
    all.push(...answer.reuses);
    before = answer.next_before;
    if (before === null) break;
  }
  return all;
}

export async function answeredQuestions(dataset: string): Promise<PublicQuestion[]> {
  const query = new URLSearchParams({ dataset, limit: "100" });
  return (await getJson<{ questions: PublicQuestion[] }>(COMMUNITY.questions(query))).questions;
}

/** A date (without the time) in the reader's language. */
export function showDate(iso: string | null, lang: Lang): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(lang === "fr" ? "fr-FR" : "en-GB", { dateStyle: "long" });
}

/** A reuse as a list item; `extra` (the reuses page: the datasets it uses) goes at its end. */
export function reuseItem(r: PublicReuse, lang: Lang, extra?: Node): HTMLLIElement {
  const t = words[lang];
  const href = safeHref(r.url, "");
  const title =
    href === "" ? el("span", {}, r.title) : el("a", { href, rel: "nofollow ugc noopener" }, r.title);
  return el(
    "li",
    { class: "od-reuse", "data-reuse": String(r.id) },
    el("h3", {}, title),
    el(
      "p",
      { class: "quiet" },
      el("span", { class: "od-reuse-kind" }, kindName(lang, r.kind)),
      " · ",
      fill(t.published, { date: showDate(r.published_at ?? r.declared_at, lang) }),
    ),
    el("p", { class: "od-reuse-url" }, r.url),
    el("p", { class: "od-text" }, r.description),
    extra,
  );
}

export function reuseList(reuses: readonly PublicReuse[], lang: Lang): HTMLElement {
  if (reuses.length === 0) return el("p", { class: "quiet" }, words[lang].reusesNone);
  return el("ul", { class: "od-reuses" }, ...reuses.map((r) => reuseItem(r, lang)));
}

export function questionList(questions: readonly PublicQuestion[], lang: Lang): HTMLElement {
  const t = words[lang];
  if (questions.length === 0) return el("p", { class: "quiet" }, t.questionsNone);
  return el(
    "ul",
    { class: "od-questions" },
    ...questions.map((q) =>
      el(
        "li",
        { class: "od-question", "data-question": String(q.id) },
        el("h3", {}, fill(t.asked, { date: showDate(q.asked_at, lang) })),
        el("p", { class: "od-text" }, q.text),
        q.answer
          ? el(
              "div",
              { class: "od-answer" },
              el("p", { class: "od-answer-title" }, `${t.answer} — ${showDate(q.answer.answered_at, lang)}`),
              el("p", { class: "od-text" }, q.answer.text),
            )
          : null,
      ),
    ),
  );
}

/**
 * A POST to the open channel without the session cookie (`credentials: "omit"`): a re-user's
 * declaration is anonymous whoever is logged in on this browser, and so needs no CSRF token.
 */
async function postPublic(path: string, body: unknown): Promise<{ id: number; state: string }> {
  const response = await fetch(path, {
    method: "POST",
    credentials: "omit",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.ok) return (await response.json()) as { id: number; state: string };
  let code = "ERR_HTTP";
  try {
    const answer = (await response.json()) as { code?: unknown };
    if (typeof answer.code === "string") code = answer.code;
  } catch {
    // Not the API's error body: the status says enough.
  }
  throw new ApiError(response.status, code, `HTTP ${response.status}`);
}

function field(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement ||
    control instanceof HTMLTextAreaElement ||
    control instanceof HTMLSelectElement
    ? control.value
    : "";
}

/**
 * Wires a form: the browser checks the fields it can (required, lengths, URL); the API decides.
 * The result is said in the form's live region; a sent form is emptied.
 */
export function mountForm(
  form: HTMLFormElement,
  result: HTMLElement,
  lang: Lang,
  send: (form: HTMLFormElement) => Promise<unknown>,
  thanks: string,
): void {
  const t = words[lang];
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    button?.setAttribute("aria-disabled", "true");
    result.textContent = t.sending;
    send(form)
      .then(() => {
        form.reset();
        result.textContent = thanks;
      })
      .catch((error: unknown) => {
        result.textContent = failure(error, lang);
      })
      .finally(() => button?.setAttribute("aria-disabled", "false"));
  });
}

function failure(error: unknown, lang: Lang): string {
  const t = words[lang];
  if (!(error instanceof ApiError)) return t.sendFailed;
  if (error.status === 429) return t.throttled;
  if (error.status === 400) return t.refused;
  return t.sendFailed;
}

/** The "Réutilisations" and "Questions" sections of a dataset's page. */
export async function showCommunity(
  dataset: string,
  lang: Lang,
  parts: {
    reuses: HTMLElement;
    questions: HTMLElement;
    reuseForm: HTMLFormElement;
    reuseResult: HTMLElement;
    questionForm: HTMLFormElement;
    questionResult: HTMLElement;
  },
): Promise<void> {
  const t = words[lang];
  mountForm(
    parts.reuseForm,
    parts.reuseResult,
    lang,
    (form) =>
      postPublic(COMMUNITY.postReuse, {
        title: field(form, "title"),
        url: field(form, "url"),
        description: field(form, "description"),
        kind: field(form, "kind"),
        datasets: [dataset],
      }),
    t.reuseThanks,
  );
  mountForm(
    parts.questionForm,
    parts.questionResult,
    lang,
    (form) => postPublic(COMMUNITY.postQuestion, { dataset, text: field(form, "text") }),
    t.questionThanks,
  );
  await Promise.all([
    publishedReuses(dataset).then(
      (reuses) => replaceChildren(parts.reuses, reuseList(reuses, lang)),
      () => replaceChildren(parts.reuses, el("p", {}, t.loadFailed)),
    ),
    answeredQuestions(dataset).then(
      (questions) => replaceChildren(parts.questions, questionList(questions, lang)),
      () => replaceChildren(parts.questions, el("p", {}, t.loadFailed)),
    ),
  ]);
}
