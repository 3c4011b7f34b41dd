import { text } from "node:stream/consumers";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { masterKeyFromEnv } from "../gateway/lorawan/config.ts";
import { sealDevice } from "../gateway/lorawan/session.ts";

/**
 * `lanterne lorawan seal --device ID --dev-addr HEX`: prints the entry of an ABP device for the
 * territory's `abp_devices` file, its session keys sealed with LANTERNE_SECRET_KEY. The keys are
 * read from standard input (NwkSKey then AppSKey, 32 hex characters each, on two lines), never
 * from the command line, so that they stay out of shell history and process lists.
 */
export async function lorawanCommand(
  args: string[],
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "seal") {
    console.error("usage: lanterne lorawan seal --device ID --dev-addr HEX < keys.txt (NwkSKey, AppSKey)");
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { device: { type: "string" }, "dev-addr": { type: "string" } },
  });
  const devAddr = (values["dev-addr"] ?? "").toLowerCase();
  const [nwk, app] = (await text(input)).split(/\r?\n/).map((l) => l.trim());
  const problems = [
    ...(values.device ? [] : ["--device: the inventory id of the device"]),
    ...(/^[0-9a-f]{8}$/.test(devAddr) ? [] : ["--dev-addr: 8 hex characters"]),
    ...(/^[0-9a-fA-F]{32}$/.test(nwk ?? "")
      ? []
      : ["NwkSKey (first line of standard input): 32 hex characters"]),
    ...(/^[0-9a-fA-F]{32}$/.test(app ?? "") ? [] : ["AppSKey (second line): 32 hex characters"]),
  ];
  if (problems.length > 0) {
    console.error(problems.map((p) => `  - ${p}`).join("\n"));
    return 2;
  }
  const sealed = sealDevice(
    {
      deviceId: values.device ?? "",
      devAddr,
      nwkSKey: Buffer.from(nwk ?? "", "hex"),
      appSKey: Buffer.from(app ?? "", "hex"),
    },
    masterKeyFromEnv(),
  );
  process.stdout.write(stringify([sealed]));
  return 0;
}
