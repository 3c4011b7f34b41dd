import { ApiError, send, setCsrfToken } from "../api.ts";
import { common, fill, type Lang, pageLang } from "../i18n/common.ts";
import { login } from "../i18n/login.ts";
import { setUpPage } from "../page.ts";
import { localPath } from "../shell.ts";

/**
 * The login page (`/connexion`, `/login` in English): the form posts the credentials as JSON to
 * `POST /api/v1/session` with the CSRF token of the anonymous session, then goes to `?next=` (a
 * path of this site only) or the alert desk. Errors are said in the `role="alert"` region and the
 * focus goes back to the field to fix.
 */

interface LoggedIn {
  csrfToken: string;
}

/** Only a path of this site: never `//host` or `/\host`, which browsers take for another site. */
export function safeNext(next: string | null): string | undefined {
  if (next === null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
    return undefined;
  }
  return next;
}

function main(): void {
  const lang = pageLang(window.location, ["/login"]);
  setUpPage(lang, login[lang]);
  const form = document.getElementById("login-form");
  if (!(form instanceof HTMLFormElement)) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(form, lang);
  });
}

async function submit(form: HTMLFormElement, lang: Lang): Promise<void> {
  const t = login[lang];
  const data = new FormData(form);
  const identifier = String(data.get("identifier") ?? "").trim();
  const secret = String(data.get("secret") ?? "");
  const kind = data.get("kind") === "operator" ? "operator" : "staff";
  if (identifier === "" || secret === "") return say(t.missing, identifier === "" ? "identifier" : "secret");
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const button = form.querySelector("button[type=submit]");
  button?.setAttribute("aria-disabled", "true");
  say(t.pending);
  try {
    const answer = await send<LoggedIn>("POST", "/api/v1/session", { kind, identifier, secret });
    setCsrfToken(answer.csrfToken);
    const next = safeNext(new URLSearchParams(window.location.search).get("next"));
    window.location.assign(next ?? localPath("/alertes", lang));
  } catch (err) {
    say(failure(err, lang), "secret");
  } finally {
    button?.removeAttribute("aria-disabled");
  }
}

function failure(err: unknown, lang: Lang): string {
  const t = login[lang];
  if (!(err instanceof ApiError)) return common[lang].networkError;
  if (err.status === 429) return fill(t.throttled, { n: err.retryAfter ?? 60 });
  if (err.status === 401 || err.status === 400) return t.invalid;
  return t.failed;
}

/** The message in the alert region; with a field, the focus goes there (its text selected). */
function say(message: string, field?: "identifier" | "secret"): void {
  const region = document.getElementById("login-message");
  if (region) region.textContent = message;
  if (field) {
    const input = document.getElementById(field);
    if (input instanceof HTMLInputElement) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      input.select();
    }
  }
}

main();
