import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AccessEntry, chain, GENESIS, verifyChain } from "../../services/clauses/access-log.ts";
import { createFileAccessLog, verifyFile } from "../../services/clauses/file-access-log.ts";

/** The access log's chain: intact as written, and the first altered, missing or moved entry named. */
const dir = mkdtempSync(join(tmpdir(), "lanterne-access-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(i: number): AccessEntry {
  return {
    at: 1_700_000_000_000 + i,
    who: "technicien",
    role: "technician",
    action: "read",
    what: `GET /api/v1/devices/${i}`,
    from: "192.0.2.1",
    status: 200,
  };
}

async function written(name: string, n: number): Promise<string> {
  const path = join(dir, name);
  const log = createFileAccessLog(path);
  await log.start();
  for (let i = 1; i <= n; i++) log.append(entry(i));
  await log.close();
  return path;
}

const lines = (path: string) => readFileSync(path, "utf8").trimEnd().split("\n");

describe("access log chain", () => {
  it("holds as written, across a restart that goes on with the chain", async () => {
    const path = await written("intact.ndjson", 5);
    const log = createFileAccessLog(path);
    await log.start();
    const sixth = log.append(entry(6));
    await log.close();
    expect(sixth.seq).toBe(6);
    expect(sixth.prev).toBe(JSON.parse(lines(path)[4] as string).hash);
    expect(await verifyFile(path)).toMatchObject({ ok: true, entries: 6 });
  });

  it("names an altered entry", async () => {
    const path = await written("altered.ndjson", 5);
    const all = lines(path);
    all[2] = (all[2] as string).replace("technicien", "quelquun");
    writeFileSync(path, `${all.join("\n")}\n`);
    expect(await verifyFile(path)).toMatchObject({
      ok: false,
      seq: 3,
      reason: expect.stringContaining("altered"),
    });
  });

  it("names a removed entry, and entries swapped", async () => {
    const path = await written("removed.ndjson", 5);
    const all = lines(path);
    writeFileSync(path, `${[...all.slice(0, 1), ...all.slice(2)].join("\n")}\n`);
    expect(await verifyFile(path)).toMatchObject({ ok: false, seq: 2 });
    const swapped = [all[0], all[2], all[1], all[3]];
    writeFileSync(path, `${swapped.join("\n")}\n`);
    expect(await verifyFile(path)).toMatchObject({ ok: false, seq: 2 });
  });

  it("names an entry rewritten with a fresh hash: the next one's link breaks", async () => {
    const path = await written("rehashed.ndjson", 4);
    const all = lines(path).map((l) => JSON.parse(l));
    const { seq, prev, hash, ...second } = all[1];
    all[1] = chain({ seq: seq - 1, hash: prev }, { ...second, who: "quelquun" });
    expect(all[1].hash).not.toBe(hash);
    writeFileSync(path, `${all.map((e) => JSON.stringify(e)).join("\n")}\n`);
    expect(await verifyFile(path)).toMatchObject({
      ok: false,
      seq: 3,
      reason: expect.stringContaining("link"),
    });
  });

  it("drops a last line a crash cut short, and goes on from the last whole entry", async () => {
    const path = await written("torn.ndjson", 3);
    appendFileSync(path, '{"seq":4,"at":17');
    const log = createFileAccessLog(path);
    await log.start();
    expect(log.append(entry(4)).seq).toBe(4);
    await log.close();
    expect(await verifyFile(path)).toMatchObject({ ok: true, entries: 4 });
  });

  it("starts from the genesis hash, and refuses a line that is not an entry", async () => {
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, last: GENESIS });
    const path = await written("garbage.ndjson", 2);
    appendFileSync(path, "not json\n");
    expect(await verifyFile(path)).toMatchObject({
      ok: false,
      seq: 3,
      reason: expect.stringContaining("line 3"),
    });
  });

  it("reads entries newest first, filtered and paged", async () => {
    const path = await written("read.ndjson", 10);
    const log = createFileAccessLog(path);
    await log.start();
    const page = await log.read({ limit: 3 });
    expect(page.map((e) => e.seq)).toEqual([10, 9, 8]);
    expect((await log.read({ limit: 3, beforeSeq: 8 })).map((e) => e.seq)).toEqual([7, 6, 5]);
    expect(await log.read({ limit: 5, who: "nobody" })).toEqual([]);
    await log.close();
  });
});
