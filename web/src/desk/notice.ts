import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { desk } from "../i18n/desk.ts";
import type { AlertView } from "./types.ts";

/**
 * The notice of a new critical alert: a count before the document's title (seen from another
 * tab), the alert said in the `aria-live="assertive"` region `#critical`, and an optional short
 * tone (off by default, the `#sound` checkbox). "Seen" clears the count and the notice.
 */
export function createCriticalNotice(lang: Lang): { raised(alert: AlertView): void } {
  const t = desk[lang];
  const region = document.getElementById("critical");
  const sound = document.getElementById("sound");
  const baseTitle = document.title;
  let unseen = 0;
  const clear = () => {
    unseen = 0;
    document.title = baseTitle;
    if (region) replaceChildren(region);
  };
  return {
    raised(alert) {
      unseen++;
      document.title = `${fill(t.titleCritical, { n: unseen })} ${baseTitle}`;
      if (region) {
        const seen = el("button", { type: "button", class: "button" }, t.seen);
        seen.addEventListener("click", clear);
        replaceChildren(
          region,
          el("p", {}, fill(t.newCritical, { subject: alert.subject, detail: alert.detail })),
          seen,
        );
      }
      if (sound instanceof HTMLInputElement && sound.checked) beep();
    },
  };
}

/** A short tone made by the page itself: no sound file to fetch, nothing for the CSP to allow. */
function beep(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.3);
    tone.addEventListener("ended", () => void audio.close());
  } catch {
    // No audio on this workstation: the visual and spoken notices remain.
  }
}
