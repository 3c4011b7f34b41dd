import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommunityStore, ReuseInput } from "../../services/opendata/community-store.ts";

/**
 * The behaviour every community store owes Lanterne (declared reuses, re-users' questions and
 * their moderation), asserted only through the port, so that the in-memory twin and the DuckDB
 * adapter run the same suite. `make` returns a started, empty store; the suite closes it.
 */

const WASTE = "dechets-taux-de-remplissage";
const LIGHT = "eclairage-heures-allumage";
const AT = Date.UTC(2025, 3, 1, 9);
const MIN = 60_000;

function reuse(over: Partial<ReuseInput> = {}): ReuseInput {
  return {
    title: "Carte des conteneurs",
    url: "https://exemple.fr/carte",
    description: "Une carte du remplissage, commune par commune.",
    datasets: [WASTE],
    kind: "visualisation",
    ...over,
  };
}

function ids(items: readonly { id: number }[]): number[] {
  return items.map((i) => i.id);
}

export function communityStoreConformance(name: string, make: () => Promise<CommunityStore>): void {
  describe(`${name} conforms to CommunityStore`, () => {
    let store: CommunityStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    describe("reuses", () => {
      it("keeps a declared reuse pending, with increasing ids and trimmed texts", async () => {
        const a = await store.addReuse(reuse({ title: "  Carte des conteneurs  " }), AT);
        const b = await store.addReuse(reuse({ datasets: [WASTE, LIGHT, WASTE], kind: "article" }), AT + MIN);
        expect(a).toEqual({
          id: expect.any(Number),
          title: "Carte des conteneurs",
          url: "https://exemple.fr/carte",
          description: "Une carte du remplissage, commune par commune.",
          datasets: [WASTE],
          kind: "visualisation",
          state: "pending",
          declaredAt: AT,
        });
        expect(b.id).toBeGreaterThan(a.id);
        expect(b.datasets).toEqual([WASTE, LIGHT]);
        expect(ids(await store.reuses({ state: "pending", limit: 10 }))).toEqual([b.id, a.id]);
        expect(await store.reuses({ state: "published", limit: 10 })).toEqual([]);
      });

      it("publishes, rejects and takes down a reuse, saying who and when", async () => {
        const a = await store.addReuse(reuse(), AT);
        const published = await store.moderateReuse(a.id, "published", "admin", AT + MIN);
        expect(published).toEqual({ ...a, state: "published", moderation: { by: "admin", at: AT + MIN } });
        expect(await store.reuses({ state: "published", limit: 10 })).toEqual([published]);
        const down = await store.moderateReuse(a.id, "rejected", "dpo", AT + 2 * MIN);
        expect(down).toMatchObject({ state: "rejected", moderation: { by: "dpo", at: AT + 2 * MIN } });
        expect(await store.reuses({ state: "published", limit: 10 })).toEqual([]);
        await expect(store.moderateReuse(a.id + 99, "published", "admin", AT)).rejects.toMatchObject({
          code: "ERR_NOT_FOUND",
        });
      });

      it("filters by dataset and state, pages newest first below a cursor", async () => {
        const made = [];
        for (let i = 0; i < 5; i++) {
          const datasets = i % 2 === 0 ? [WASTE] : [LIGHT, WASTE];
          made.push(await store.addReuse(reuse({ title: `R${i}`, datasets }), AT + i * MIN));
        }
        const only = await store.addReuse(reuse({ title: "light only", datasets: [LIGHT] }), AT + 9 * MIN);
        for (const r of made.slice(0, 4))
          await store.moderateReuse(r.id, "published", "admin", AT + 10 * MIN);
        const all = ids(made).reverse();
        expect(ids(await store.reuses({ limit: 100 }))).toEqual([only.id, ...all]);
        expect(ids(await store.reuses({ dataset: WASTE, limit: 100 }))).toEqual(all);
        expect(ids(await store.reuses({ dataset: LIGHT, limit: 100 }))).toEqual([
          only.id,
          made[3]?.id,
          made[1]?.id,
        ]);
        expect(ids(await store.reuses({ dataset: "autre-jeu", limit: 100 }))).toEqual([]);
        const published = ids(made.slice(0, 4)).reverse();
        const first = await store.reuses({ state: "published", dataset: WASTE, limit: 2 });
        expect(ids(first)).toEqual(published.slice(0, 2));
        const next = await store.reuses({
          state: "published",
          dataset: WASTE,
          limit: 2,
          beforeId: first[1]?.id,
        });
        expect(ids(next)).toEqual(published.slice(2));
        expect(await store.reuses({ limit: 0 })).toEqual([]);
      });

      it("refuses what could not be shown safely: a URL that is not http(s), empty or too long texts", async () => {
        const bad: Partial<ReuseInput>[] = [
          { url: "javascript:alert(1)" },
          { url: "data:text/html,<script>" },
          { url: "ftp://exemple.fr/" },
          { url: "/relative" },
          { url: "https://user:secret@exemple.fr/" },
          { url: `https://exemple.fr/${"a".repeat(500)}` },
          { title: "   " },
          { title: "x".repeat(121) },
          { title: "deux\nlignes" },
          { description: "x".repeat(1001) },
          { description: "nul \u0000" },
          { datasets: [] },
          { datasets: ["Pas un id"] },
          { kind: "spam" as ReuseInput["kind"] },
        ];
        for (const over of bad) {
          await expect(store.addReuse(reuse(over), AT), JSON.stringify(over)).rejects.toMatchObject({
            code: "ERR_BAD_REQUEST",
          });
        }
        expect(await store.reuses({ limit: 100 })).toEqual([]);
        const ok = await store.addReuse(
          reuse({ url: "http://exemple.fr/a?b=1#c", description: "l1\nl2" }),
          AT,
        );
        expect(ok).toMatchObject({ url: "http://exemple.fr/a?b=1#c", description: "l1\nl2" });
      });

      it("keeps the texts exactly, markup included (the pages show them as text)", async () => {
        const hostile = '<img src=x onerror="alert(1)"> & "quotes" \'é\'';
        const a = await store.addReuse(reuse({ title: hostile, description: hostile }), AT);
        expect((await store.reuses({ limit: 1 }))[0]).toMatchObject({
          id: a.id,
          title: hostile,
          description: hostile,
        });
      });

      it("gives copies: changing an answer does not change the store", async () => {
        const a = await store.addReuse(reuse(), AT);
        a.datasets.push("autre-jeu");
        a.title = "changed";
        expect((await store.reuses({ limit: 1 }))[0]).toMatchObject({
          title: "Carte des conteneurs",
          datasets: [WASTE],
        });
      });
    });

    describe("questions", () => {
      it("keeps a question pending, then publishes it with its answer", async () => {
        const q = await store.addQuestion({ dataset: WASTE, text: " Pourquoi des chiffres masqués ? " }, AT);
        expect(q).toEqual({
          id: expect.any(Number),
          dataset: WASTE,
          text: "Pourquoi des chiffres masqués ?",
          state: "pending",
          askedAt: AT,
        });
        const general = await store.addQuestion({ text: "Quelle licence ?" }, AT + MIN);
        expect(general).not.toHaveProperty("dataset");
        expect(general.id).toBeGreaterThan(q.id);
        expect(ids(await store.questions({ state: "pending", limit: 10 }))).toEqual([general.id, q.id]);
        const answered = await store.answer(
          q.id,
          { text: "Le secret statistique.", by: "admin" },
          AT + 2 * MIN,
        );
        expect(answered).toEqual({
          ...q,
          state: "answered",
          answer: { text: "Le secret statistique.", by: "admin", at: AT + 2 * MIN },
        });
        expect(await store.questions({ state: "answered", dataset: WASTE, limit: 10 })).toEqual([answered]);
        expect(await store.questions({ state: "answered", dataset: LIGHT, limit: 10 })).toEqual([]);
        expect(ids(await store.questions({ state: "pending", limit: 10 }))).toEqual([general.id]);
      });

      it("replaces an answer, rejects a question (answered or not), and says when one is unknown", async () => {
        const q = await store.addQuestion({ text: "Question ?" }, AT);
        await store.answer(q.id, { text: "Première réponse", by: "admin" }, AT + MIN);
        const again = await store.answer(q.id, { text: "Réponse corrigée", by: "dpo" }, AT + 2 * MIN);
        expect(again.answer).toEqual({ text: "Réponse corrigée", by: "dpo", at: AT + 2 * MIN });
        const rejected = await store.rejectQuestion(q.id, "admin", AT + 3 * MIN);
        expect(rejected).toEqual({ ...q, state: "rejected", rejection: { by: "admin", at: AT + 3 * MIN } });
        expect(await store.questions({ state: "answered", limit: 10 })).toEqual([]);
        expect(await store.questions({ state: "rejected", limit: 10 })).toEqual([rejected]);
        const back = await store.answer(q.id, { text: "Finalement publiée", by: "admin" }, AT + 4 * MIN);
        expect(back).not.toHaveProperty("rejection");
        for (const job of [
          () => store.answer(q.id + 99, { text: "x", by: "admin" }, AT),
          () => store.rejectQuestion(q.id + 99, "admin", AT),
        ]) {
          await expect(job()).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
        }
      });

      it("pages newest first below a cursor", async () => {
        const made = [];
        for (let i = 0; i < 5; i++)
          made.push(await store.addQuestion({ dataset: WASTE, text: `Q${i}` }, AT + i));
        const first = await store.questions({ dataset: WASTE, limit: 3 });
        expect(ids(first)).toEqual(ids(made).reverse().slice(0, 3));
        const next = await store.questions({ dataset: WASTE, limit: 3, beforeId: first[2]?.id });
        expect(ids(next)).toEqual(ids(made).reverse().slice(3));
      });

      it("refuses an empty or too long question, a bad dataset id or an empty answer", async () => {
        for (const input of [
          { text: "  " },
          { text: "x".repeat(1001) },
          { dataset: "Pas un id", text: "ok ?" },
        ]) {
          await expect(store.addQuestion(input, AT), JSON.stringify(input)).rejects.toMatchObject({
            code: "ERR_BAD_REQUEST",
          });
        }
        const q = await store.addQuestion({ text: "ok ?" }, AT);
        await expect(store.answer(q.id, { text: " ", by: "admin" }, AT)).rejects.toMatchObject({
          code: "ERR_BAD_REQUEST",
        });
        expect((await store.questions({ limit: 10 }))[0]?.state).toBe("pending");
      });
    });
  });
}
