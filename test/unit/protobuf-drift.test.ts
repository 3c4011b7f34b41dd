import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// The drift check as CI runs it: the script, its exit code and its message, on real files.
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CHECK = path.join(REPO, "scripts", "protos-check.mjs");
const PROTO = path.join("lanterne", "v1", "readings.proto");

function check(protosDir?: string) {
  const r = spawnSync(process.execPath, [CHECK, ...(protosDir ? [protosDir] : [])], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

let copies: string[] = [];
afterEach(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  copies = [];
});

/** A scratch copy of protos/ (sources and generated code) that a test may damage. */
function copyOfProtos(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "lanterne-protos-test-"));
  copies.push(dir);
  cpSync(path.join(REPO, "protos"), dir, { recursive: true });
  return dir;
}

describe("protos drift check", () => {
  it("passes on the committed generated code", () => {
    expect(check()).toMatchObject({ status: 0 });
  });

  it("passes on an untouched copy elsewhere (the output does not depend on the location)", () => {
    expect(check(copyOfProtos())).toMatchObject({ status: 0 });
  });

  it("fails when the generated code was edited by hand", () => {
    const dir = copyOfProtos();
    appendFileSync(path.join(dir, "generated", "lanterne.js"), "// edited\n");
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/lanterne\.js: differs/);
    expect(r.output).not.toMatch(/lanterne\.d\.ts/);
  });

  it("fails when a .proto changed without regenerating", () => {
    const dir = copyOfProtos();
    const file = path.join(dir, PROTO);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("bool flag = 3;", "bool flag = 3;\n    int64 count = 4;"),
    );
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/lanterne\.js: differs/);
    expect(r.output).toMatch(/lanterne\.d\.ts: differs/);
  });

  it("fails when generated files are missing or left over", () => {
    const dir = copyOfProtos();
    rmSync(path.join(dir, "generated", "lanterne.d.ts"));
    writeFileSync(path.join(dir, "generated", "old.js"), "");
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/lanterne\.d\.ts: missing/);
    expect(r.output).toMatch(/old\.js: not generated/);
  });

  it("exits 2 when a .proto does not compile", () => {
    const dir = copyOfProtos();
    appendFileSync(path.join(dir, PROTO), "\nmessage Broken {\n");
    expect(check(dir)).toMatchObject({ status: 2, output: expect.stringMatching(/generation failed/) });
  });
});
