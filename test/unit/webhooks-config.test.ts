import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { accepts, loadWebhooksFile, parseWebhooks } from "../../services/alerts/sinks/webhook-config.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-webhooks-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "0123456789abcdef0123";
const ENV = { LANTERNE_WEBHOOK_GMAO_SECRET: "from-the-environment-0001", SHORT: "tiny" };

function problemsOf(doc: unknown, env: NodeJS.ProcessEnv = ENV): { code: string; message: string } {
  try {
    parseWebhooks(doc, env);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("expected ERR_WEBHOOK_CONFIG");
}

describe("webhooks file", () => {
  it("reads webhooks with an inline secret or one from the environment, and filters", async () => {
    const path = join(dir, "webhooks.yaml");
    writeFileSync(
      path,
      [
        "webhooks:",
        "  - name: gmao-voirie",
        "    url: https://gmao.example.fr/hooks/lanterne",
        "    secret_env: LANTERNE_WEBHOOK_GMAO_SECRET",
        "    events:",
        "      kinds: [raised, cleared]",
        "      severities: [major, critical]",
        "  - name: eau",
        "    url: http://10.0.0.5:8080/in",
        `    secret: ${SECRET}`,
      ].join("\n"),
    );
    expect(await loadWebhooksFile(path, ENV)).toEqual([
      {
        name: "gmao-voirie",
        url: "https://gmao.example.fr/hooks/lanterne",
        secret: ENV.LANTERNE_WEBHOOK_GMAO_SECRET,
        events: { kinds: ["raised", "cleared"], severities: ["major", "critical"] },
      },
      { name: "eau", url: "http://10.0.0.5:8080/in", secret: SECRET },
    ]);
  });

  it("has no webhook when an optional file does not exist, and fails when a required one does not", async () => {
    expect(await loadWebhooksFile(join(dir, "absent.yaml"), ENV)).toEqual([]);
    await expect(loadWebhooksFile(join(dir, "absent.yaml"), ENV, { required: true })).rejects.toMatchObject({
      code: "ERR_WEBHOOK_CONFIG",
    });
  });

  it("lists every problem of the schema at once, without repeating a secret", () => {
    const error = problemsOf({
      webhooks: [
        { name: "Bad Name", url: "https://x.example/", secret: "short-secret" },
        { name: "b", url: "https://x.example/", secret: SECRET, events: { kinds: ["exploded"] } },
        { name: "c", secret: SECRET, retries: 3 },
      ],
    });
    expect(error.code).toBe("ERR_WEBHOOK_CONFIG");
    expect(error.message).toContain("/webhooks/0/name");
    expect(error.message).toContain("/webhooks/0/secret");
    expect(error.message).toContain("/webhooks/1/events/kinds/0");
    expect(error.message).toContain("/webhooks/2/url: is missing");
    expect(error.message).toContain("/webhooks/2/retries: unknown key");
    expect(error.message).not.toContain("short-secret");
  });

  it("checks URLs, names and secrets across keys", () => {
    const error = problemsOf({
      webhooks: [
        { name: "a", url: "ftp://x.example/", secret: SECRET },
        { name: "a", url: "not a url", secret: SECRET },
        { name: "c", url: "https://user:pw@x.example/", secret: SECRET },
        { name: "d", url: "https://x.example/", secret: SECRET, secret_env: "LANTERNE_WEBHOOK_GMAO_SECRET" },
        { name: "e", url: "https://x.example/" },
        { name: "f", url: "https://x.example/", secret_env: "UNSET_VARIABLE" },
        { name: "g", url: "https://x.example/", secret_env: "SHORT" },
      ],
    });
    expect(error.code).toBe("ERR_WEBHOOK_CONFIG");
    const lines = error.message.split("\n").slice(1);
    expect(lines).toEqual([
      "  - /webhooks/0/url: must be an http:// or https:// URL",
      '  - /webhooks/1/name: "a" is named twice',
      "  - /webhooks/1/url: must be an absolute URL",
      "  - /webhooks/2/url: must not hold credentials: the signature authenticates Lanterne",
      "  - /webhooks/3: must have exactly one of secret and secret_env",
      "  - /webhooks/4: must have exactly one of secret and secret_env",
      "  - /webhooks/5/secret_env: the environment variable UNSET_VARIABLE is not set",
      "  - /webhooks/6/secret_env: the environment variable SHORT must hold at least 16 characters",
    ]);
    expect(error.message).not.toContain(ENV.SHORT);
    expect(error.message).not.toContain(SECRET);
  });

  it("says so when the file is not YAML", async () => {
    const path = join(dir, "broken.yaml");
    writeFileSync(path, "webhooks: [\n  - name: a\n");
    await expect(loadWebhooksFile(path, ENV)).rejects.toMatchObject({ code: "ERR_WEBHOOK_CONFIG" });
  });
});

describe("webhook filter", () => {
  const alert = { domain: "streetlight", severity: "major" } as const;
  it.each([
    [undefined, true],
    [{}, true],
    [{ kinds: ["raised"] }, true],
    [{ kinds: ["closed"] }, false],
    [{ domains: ["streetlight", "water"] }, true],
    [{ domains: ["water"] }, false],
    [{ severities: ["critical"] }, false],
    [{ kinds: ["raised"], domains: ["streetlight"], severities: ["major"] }, true],
  ] as const)("%j lets a major streetlight raise through: %s", (filter, expected) => {
    expect(accepts(filter, "raised", alert)).toBe(expected);
  });
});
