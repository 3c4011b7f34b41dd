import { el } from "../dom.ts";
import { fill, type Lang, label } from "../i18n/common.ts";
import { desk } from "../i18n/desk.ts";
import type { Act, AlertView } from "./types.ts";

/** The API's longest comment (services/alerts/errors.ts MAX_COMMENT_LENGTH). */
const MAX_COMMENT = 4000;

export interface ViewContext {
  lang: Lang;
  /** Staff act on alerts; operators only read theirs (the API refuses their acts anyway). */
  canAct: boolean;
  /** Whether the alert's list of devices is open. */
  expanded: boolean;
  onToggle: (id: number) => void;
  onAct: (alert: AlertView, act: Act) => void;
}

/**
 * One alert as a list item: its subject as a heading, its facts, the devices behind a correlated
 * alert (a disclosure button with `aria-expanded`), its comments, and the staff's actions. Every
 * value from the API goes in as text. Ids are derived from the alert id (a number), never from data.
 */
export function alertItem(alert: AlertView, ctx: ViewContext): HTMLLIElement {
  const heading = `alerte-${alert.id}-titre`;
  return el(
    "li",
    {
      class: `alert severity-${alert.severity}`,
      "data-alert-id": String(alert.id),
      "data-version": String(alert.version),
      "data-status": alert.status,
    },
    el(
      "article",
      { "aria-labelledby": heading },
      el(
        "h2",
        { id: heading, tabindex: "-1" },
        el("span", { class: `badge badge-${alert.severity}` }, label(ctx.lang, alert.severity)),
        " ",
        el("span", { class: "subject" }, subjectLink(alert.subject, ctx.lang)),
      ),
      facts(alert, ctx.lang),
      alert.children.length > 0 ? devices(alert, ctx) : null,
      comments(alert, ctx.lang),
      ctx.canAct && alert.status !== "closed" ? actions(alert, ctx, heading) : null,
    ),
  );
}

/**
 * A device's id as a link to its page; a group (`cabinet:…`, `gateway:…`, `operator:…`) has no
 * page of its own and stays text. The id goes into the path encoded, and into the link as text.
 */
function subjectLink(subject: string, lang: Lang): Node {
  if (subject.includes(":")) return document.createTextNode(subject);
  const path = `/equipements/${encodeURIComponent(subject)}${lang === "en" ? "?lang=en" : ""}`;
  return el("a", { href: path }, subject);
}

function facts(alert: AlertView, lang: Lang): HTMLElement {
  const t = desk[lang];
  const status =
    alert.cleared && alert.status !== "closed"
      ? `${label(lang, alert.status)} (${t.cleared})`
      : label(lang, alert.status);
  const rows: Array<[string, string]> = [
    [t.state, status],
    [t.detail, alert.detail],
    [t.domain, label(lang, alert.domain)],
    [t.commune, alert.commune ?? "—"],
    [t.opened, when(alert.openedAt, lang)],
    [t.assignee, alert.assignee ?? t.nobody],
  ];
  const list = el("dl", { class: "alert-facts" });
  for (const [term, value] of rows) list.append(el("div", {}, el("dt", {}, term), el("dd", {}, value)));
  return list;
}

export function when(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === "fr" ? "fr-FR" : "en-GB", { dateStyle: "short", timeStyle: "medium" });
}

function devices(alert: AlertView, ctx: ViewContext): HTMLElement {
  const t = desk[ctx.lang];
  const listId = `alerte-${alert.id}-equipements`;
  const button = el(
    "button",
    {
      type: "button",
      class: "disclosure",
      "aria-expanded": String(ctx.expanded),
      "aria-controls": listId,
      "data-toggle": "devices",
    },
    fill(t.showDevices, { n: alert.children.length }),
  );
  button.addEventListener("click", () => ctx.onToggle(alert.id));
  const list = el("ul", { id: listId, class: "devices", "aria-label": t.devices });
  for (const child of alert.children) list.append(el("li", {}, subjectLink(child, ctx.lang)));
  if (!ctx.expanded) list.hidden = true;
  return el("div", { class: "group" }, button, list);
}

function comments(alert: AlertView, lang: Lang): HTMLElement {
  const t = desk[lang];
  const section = el("div", { class: "comments" }, el("h3", {}, t.comments));
  if (alert.comments.length === 0) {
    section.append(el("p", { class: "quiet" }, t.noComments));
    return section;
  }
  const list = el("ul", {});
  for (const c of alert.comments) {
    list.append(
      el(
        "li",
        {},
        el("p", { class: "quiet" }, `${c.author}, ${when(c.at, lang)}`),
        el("p", { class: "comment-text" }, c.text),
      ),
    );
  }
  section.append(list);
  return section;
}

function actions(alert: AlertView, ctx: ViewContext, heading: string): HTMLElement {
  const t = desk[ctx.lang];
  const box = el("div", { class: "actions" });
  const button = (act: "acknowledge" | "close", text: string) => {
    const b = el(
      "button",
      { type: "button", class: "button", "data-act": act, "aria-describedby": heading },
      text,
    );
    b.addEventListener("click", () => ctx.onAct(alert, { kind: act }));
    return b;
  };
  const buttons = el("div", { class: "buttons" });
  if (alert.status === "open") buttons.append(button("acknowledge", t.acknowledge));
  buttons.append(button("close", t.close));
  box.append(buttons, assignForm(alert, ctx, heading), commentForm(alert, ctx, heading));
  return box;
}

function assignForm(alert: AlertView, ctx: ViewContext, heading: string): HTMLFormElement {
  const t = desk[ctx.lang];
  const id = `alerte-${alert.id}-affecter`;
  const input = el("input", { id, name: "assignee", type: "text", maxlength: "200", required: "" });
  const form = el(
    "form",
    { class: "inline-form", "data-act": "assign" },
    el("label", { for: id }, t.assignTo),
    input,
    el("button", { type: "submit", class: "button", "aria-describedby": heading }, t.assign),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const assignee = input.value.trim();
    if (assignee !== "") ctx.onAct(alert, { kind: "assign", assignee });
  });
  return form;
}

function commentForm(alert: AlertView, ctx: ViewContext, heading: string): HTMLFormElement {
  const t = desk[ctx.lang];
  const id = `alerte-${alert.id}-commentaire`;
  const area = el("textarea", { id, name: "text", rows: "2", maxlength: String(MAX_COMMENT), required: "" });
  const form = el(
    "form",
    { class: "inline-form", "data-act": "comment" },
    el("label", { for: id }, t.commentText),
    area,
    el("button", { type: "submit", class: "button", "aria-describedby": heading }, t.comment),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (text !== "") ctx.onAct(alert, { kind: "comment", text });
  });
  return form;
}
