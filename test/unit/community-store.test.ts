import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CommunityStore } from "../../services/opendata/community-store.ts";
import { createDuckdbCommunityStore } from "../../services/opendata/duckdb-community-store.ts";
import { createMemoryCommunityStore } from "../../services/opendata/memory-community-store.ts";
import { communityStoreConformance } from "../conformance/community-store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-community-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(store: CommunityStore): Promise<CommunityStore> {
  await store.start();
  return store;
}

communityStoreConformance("MemoryCommunityStore", () => started(createMemoryCommunityStore()));
communityStoreConformance("DuckdbCommunityStore (:memory:)", () =>
  started(createDuckdbCommunityStore({ path: ":memory:" })),
);

const AT = Date.UTC(2025, 3, 1, 9);
const DATASET = "dechets-taux-de-remplissage";

describe("DuckdbCommunityStore on a file", () => {
  it("keeps reuses, questions, answers and moderation across close() and start(); ids go on increasing", async () => {
    const path = join(dir, "nested", "community.duckdb");
    const first = await started(createDuckdbCommunityStore({ path }));
    const reuse = await first.addReuse(
      {
        title: "Tableau de bord",
        url: "https://exemple.fr/tableau",
        description: "Suivi hebdomadaire.",
        datasets: [DATASET],
        kind: "application",
      },
      AT,
    );
    await first.moderateReuse(reuse.id, "published", "admin", AT + 1);
    const question = await first.addQuestion({ dataset: DATASET, text: "Quelle fréquence ?" }, AT + 2);
    await first.answer(question.id, { text: "Chaque jour.", by: "admin" }, AT + 3);
    await first.addQuestion({ text: "Encore une ?" }, AT + 4);
    const before = {
      reuses: await first.reuses({ limit: 100 }),
      questions: await first.questions({ limit: 100 }),
    };
    await first.close();
    expect(existsSync(path)).toBe(true);

    const second = await started(createDuckdbCommunityStore({ path }));
    expect(await second.reuses({ limit: 100 })).toEqual(before.reuses);
    expect(await second.questions({ limit: 100 })).toEqual(before.questions);
    expect(before.reuses[0]).toMatchObject({ state: "published", moderation: { by: "admin", at: AT + 1 } });
    expect(before.questions[1]).toMatchObject({ state: "answered", answer: { text: "Chaque jour." } });
    const next = await second.addReuse({ ...reuse, title: "Suite" }, AT + 5);
    expect(next.id).toBeGreaterThan(reuse.id);
    const nextQuestion = await second.addQuestion({ text: "Après le redémarrage ?" }, AT + 6);
    expect(nextQuestion.id).toBeGreaterThan(before.questions[0]?.id ?? Number.POSITIVE_INFINITY);
    await second.close();
  });

  it("applies concurrent declarations one after the other, each with its own id", async () => {
    const store = await started(createDuckdbCommunityStore({ path: join(dir, "concurrent.duckdb") }));
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.addReuse(
          {
            title: `R${i}`,
            url: `https://exemple.fr/${i}`,
            description: "d",
            datasets: [DATASET],
            kind: "other",
          },
          AT + i,
        ),
      ),
    );
    expect(new Set(made.map((r) => r.id)).size).toBe(20);
    expect((await store.reuses({ limit: 100 })).map((r) => r.id)).toEqual(
      made.map((r) => r.id).sort((a, b) => b - a),
    );
    await store.close();
  });
});
