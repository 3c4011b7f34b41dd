#!/usr/bin/env -S npx tsx
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadConfig } from "../services/config.ts";
import { type ParseResult, parseContractText } from "../services/contracts/parse.ts";
import { accessLogCommand } from "./access-log.ts";
import { bundleCommand } from "./bundle.ts";
import { lorawanCommand } from "./lorawan.ts";
import { opendataCommand } from "./opendata-export.ts";
import { reportCommand } from "./report.ts";
import { retentionCommand } from "./retention.ts";
import { serve } from "./serve.ts";
import { simulate } from "./simulate.ts";

/**
 * `lanterne` — the command line of the platform.
 *   lanterne serve [--demo] [--no-simulator]   run the platform (npm start = serve --demo)
 *   lanterne simulate [--url URL] [--speed N]   publish demo telemetry to a running platform
 *   lanterne simulate --lorawan [--udp HOST:PORT] [--chirpstack-url URL] [--marshaler json|protobuf]
 *                                              the territory's LoRaWAN sensors: gateways over UDP, ChirpStack over MQTT
 *   lanterne contracts validate FILE...        check data contract files (the official ODCS v3.1.0
 *                                              JSON Schema, then Lanterne's rules), listing every error
 *   lanterne retention [--apply]               what the contracts keep, for how long, and the space used
 *   lanterne report sobriety --year Y          what is collected and why, volumes, retention, footprint
 *   lanterne lorawan seal --device ID --dev-addr HEX   an ABP device's sealed session keys (keys on stdin)
 *   lanterne opendata export DIR [--url URL] [--force]   every published open dataset, read from the
 *                                              running platform's open channel, into a folder for portals
 *   lanterne export DIR [--operator ID] [--from T] [--to T] [--no-parquet]
 *                                              the reversibility bundle (stopped platform)
 *   lanterne import DIR                        load a bundle into this empty Lanterne, checked whole first
 */
const USAGE = `usage:
  lanterne serve [--demo] [--no-simulator]
  lanterne simulate [--url mqtt://127.0.0.1:1883] [--speed 1]
  lanterne simulate --lorawan [--udp 127.0.0.1:1700] [--chirpstack-url mqtt://127.0.0.1:1884] [--marshaler protobuf|json]
  lanterne contracts validate FILE...
  lanterne retention [--apply]
  lanterne report sobriety --year YYYY [--format text|json|csv]   the yearly sobriety report (stopped platform)
  lanterne lorawan seal --device ID --dev-addr HEX < keys.txt
  lanterne opendata export DIR [--url http://127.0.0.1:8080] [--force]   (--help: the folder's layout)
  lanterne access-log verify [--file F]      check the access log's hash chain (exit 1: names the broken entry)
  lanterne access-log export FILE [--file F] a verified copy for an auditor, with FILE.sha256
  lanterne export DIR [--operator ID] [--from T] [--to T] [--no-parquet]   everything, in open formats, with checksums
  lanterne import DIR                        load a bundle into this (empty) Lanterne; refused whole if it does not hold
Configuration comes from LANTERNE_* environment variables (see README).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serveCommand(rest);
    case "simulate":
      return simulateCommand(rest);
    case "contracts":
      return contractsCommand(rest);
    case "retention":
      return retentionCommand(loadConfig(), rest);
    case "report":
      return reportCommand(loadConfig(), rest);
    case "lorawan":
      return lorawanCommand(rest);
    case "opendata":
      return opendataCommand(loadConfig(), rest);
    case "access-log":
      return accessLogCommand(loadConfig(), rest);
    case "export":
    case "import":
      return bundleCommand(loadConfig(), command, rest);
    default:
      console.error(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}

async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { demo: { type: "boolean" }, "no-simulator": { type: "boolean" } },
  });
  const demo = values.demo === true;
  await serve(loadConfig(), { demo, simulator: demo && values["no-simulator"] !== true });
  return 0;
}

async function simulateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      speed: { type: "string" },
      lorawan: { type: "boolean" },
      udp: { type: "string" },
      "chirpstack-url": { type: "string" },
      marshaler: { type: "string" },
    },
  });
  const marshaler = values.marshaler ?? "protobuf";
  if (marshaler !== "json" && marshaler !== "protobuf") {
    console.error("lanterne simulate: --marshaler json or protobuf");
    return 2;
  }
  const lorawan = {
    marshaler,
    ...(values.udp ? { udp: values.udp } : {}),
    ...(values["chirpstack-url"] ? { chirpstackUrl: values["chirpstack-url"] } : {}),
  } as const;
  await simulate(loadConfig(), {
    ...(values.url ? { url: values.url } : {}),
    speed: Number(values.speed ?? 1),
    ...(values.lorawan ? { lorawan } : {}),
  });
  return 0;
}

async function contractsCommand(args: string[]): Promise<number> {
  const [sub, ...files] = args;
  if (sub !== "validate" || files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    // Checked against the official ODCS v3.1 JSON Schema, then Lanterne's rules (contracts/parse.ts).
    const result = await validateContractFile(file);
    if (result.ok) {
      const c = result.contract;
      console.log(
        `ok   ${file}: ${c.key} (${c.domain}, ${c.fields.size} fields, valid from ${new Date(c.validFrom).toISOString().slice(0, 10)})`,
      );
    } else {
      failed++;
      console.log(`FAIL ${file}:`);
      for (const e of result.errors) console.log(`  - ${e}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

/** A file that cannot be read fails like an invalid one, and the other files are still checked. */
async function validateContractFile(file: string): Promise<ParseResult> {
  try {
    return parseContractText(await readFile(file, "utf8"), file);
  } catch (err) {
    return { ok: false, errors: [`cannot be read: ${(err as Error).message}`] };
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: Error & { code?: string }) => {
    console.error(`lanterne: ${err.code ? `${err.code}: ` : ""}${err.message}`);
    process.exit(1);
  },
);
