#!/usr/bin/env node
/**
 * `npm test`: makes sure the Debian packages the tests need are installed, then runs vitest.
 *
 *   node scripts/test.mjs [vitest arguments...]     (npm test -- --reporter=json ...)
 *
 * The integration tests run real programs: Mosquitto (a stand-in ChirpStack broker), the
 * mosquitto_pub client, a private influxd, curl (infra/influxdb/setup-1x.sh) and, soon, a
 * browser. This is the one place that lists them (CI calls `npm test` too). A package whose
 * command is missing is installed with apt-get when this runs as root on Debian, or through a
 * password-less `sudo -n`; when everything is there, apt is not touched at all.
 *
 * When they cannot be installed (not Debian, not root and no sudo, apt failing), a loud warning
 * names them and the command to run, and the tests that need them skip by their own checks;
 * under CI=true that is an error instead: CI must run every test, never skip one.
 *
 * Plain Node ESM on purpose: it runs before anything is compiled or loaded through tsx.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Each Debian package and the command the tests look for. The directories searched are those of
 * the helpers that use the command (test/helpers/mosquitto.ts also looks in /usr/sbin, where
 * Debian puts the broker and which a non-root PATH often lacks; the others look on PATH only), so
 * that "present" here means "found by the tests".
 */
const PACKAGES = [
  { name: "mosquitto", command: "mosquitto", extraDirs: ["/usr/sbin"] },
  { name: "mosquitto-clients", command: "mosquitto_pub", extraDirs: [] },
  { name: "influxdb", command: "influxd", extraDirs: [] },
  { name: "curl", command: "curl", extraDirs: [] },
  { name: "chromium", command: "chromium", extraDirs: [] },
  // The open-data charts write their text in SVG, which sharp's librsvg draws with a system font.
  { name: "fonts-dejavu-core", file: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" },
];

const CI = process.env.CI === "true";

/** An executable on PATH or in `extraDirs`, like test/helpers/process.ts's findExecutable. */
function findExecutable(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir === "") continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** A package is there when its command is found, or, for one without a command, its file. */
function present(p) {
  if (p.file !== undefined) {
    try {
      accessSync(p.file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }
  return findExecutable(p.command, p.extraDirs) !== undefined;
}

function missingPackages() {
  return PACKAGES.filter((p) => !present(p));
}

/**
 * How to run apt-get as root: directly, or through `sudo -n` (never a password prompt: CI and
 * scripted runs have no terminal). Returns the command prefix, or the reason it cannot.
 */
function rootPrefix() {
  if (process.platform !== "linux" || !existsSync("/etc/debian_version")) {
    return { reason: "this is not a Debian system" };
  }
  if (!findExecutable("apt-get", ["/usr/bin"])) return { reason: "apt-get was not found" };
  if (process.getuid?.() === 0) return { prefix: [] };
  if (!findExecutable("sudo", ["/usr/bin"])) return { reason: "not running as root, and no sudo" };
  const probe = spawnSync("sudo", ["-n", "true"], { stdio: "ignore" });
  if (probe.status !== 0) return { reason: "not running as root, and sudo asks for a password" };
  return { prefix: ["sudo", "-n"] };
}

/** Runs one command, its output on stderr so that a reporter writing to stdout stays clean. */
function run(argv) {
  console.error(`$ ${argv.join(" ")}`);
  const [command, ...args] = argv;
  const result = spawnSync(command, args, { stdio: ["ignore", 2, 2] });
  if (result.error) return `${command} could not start: ${result.error.message}`;
  if (result.status !== 0) return `\`${argv.join(" ")}\` failed (exit ${result.status ?? result.signal})`;
  return undefined;
}

/** Installs `packages` with apt-get; returns why it could not, or undefined once done. */
function install(packages) {
  const how = rootPrefix();
  if (!how.prefix) return how.reason;
  const names = packages.map((p) => p.name);
  console.error(`npm test: installing the Debian packages the tests need: ${names.join(" ")}`);
  // Wait for a concurrent apt or dpkg run (another checkout's `npm test`) instead of failing.
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  return (
    run([...how.prefix, "apt-get", ...lock, "update", "-qq"]) ??
    run([
      ...how.prefix,
      // Through env(1): a plain VAR=value word works after sudo but not as a command of its own.
      "env",
      "DEBIAN_FRONTEND=noninteractive",
      "apt-get",
      ...lock,
      "install",
      "-y",
      "-q",
      ...names,
    ])
  );
}

function warn(packages, reason) {
  const names = packages.map((p) => p.name).join(" ");
  const commands = packages.map((p) => p.command ?? p.file).join(", ");
  const bar = "!".repeat(78);
  const lines = [
    "",
    bar,
    `npm test: Debian packages the tests need are MISSING: ${names}`,
    `  (${commands} not found)`,
    `  They could not be installed: ${reason}.`,
    "  Install them as root (or through sudo), then run `npm test` again:",
    `    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${names}`,
    CI
      ? "  CI=true: this is an error; no test is run."
      : "  The tests that need them are SKIPPED by their own checks (under CI=true they would fail).",
    bar,
    "",
  ];
  console.error(lines.join("\n"));
}

/** Runs vitest with every argument given to this script, and ends with its exit status. */
function runVitest(args) {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("vitest/package.json", { paths: [ROOT] });
  const bin = path.join(path.dirname(manifest), require(manifest).bin.vitest);
  const child = spawn(process.execPath, [bin, "run", ...args], { cwd: ROOT, stdio: "inherit" });
  // Ctrl-C reaches vitest from the terminal itself; this process only has to outlive it. A
  // SIGTERM sent to this process alone (a CI timeout) is passed on, so no test run is orphaned.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => {
    if (signal) {
      // Die of the same signal, as a shell reports it, once our own handler is out of the way.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

const missing = missingPackages();
if (missing.length > 0) {
  const failure = install(missing);
  // What matters is what the tests will find, whatever apt-get said.
  const still = missingPackages();
  if (still.length > 0) {
    warn(still, failure ?? "apt-get ran, but their commands are still not found");
    if (CI) process.exit(1);
  }
}
runVitest(process.argv.slice(2));
