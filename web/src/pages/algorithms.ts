import { getJson } from "../api.ts";
import { append, el, replaceChildren } from "../dom.ts";
import { algorithms } from "../i18n/algorithms.ts";
import { common, pageLang } from "../i18n/common.ts";
import { setUpPage } from "../page.ts";
import { type Register, renderRegister } from "../register-view.ts";

/** The public register of the algorithms (`/algorithmes`, `/algorithms` in English). */
const API = "/api/v1/algorithms";

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/algorithms"]);
  setUpPage(lang, algorithms[lang]);
  const status = document.getElementById("status");
  const target = document.getElementById("register");
  if (!status || !target) return;
  status.textContent = algorithms[lang].loading;
  try {
    const register = await getJson<Register>(API);
    replaceChildren(target, renderRegister(register, lang));
    status.textContent = "";
  } catch {
    replaceChildren(status);
    append(status, `${common[lang].loadFailed} `, el("a", { href: API }, API));
  }
}

void main();
