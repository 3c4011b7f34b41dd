import { describe, expect, it } from "vitest";
import { subscriptionAllowed } from "../../gateway/broker/topics.ts";

describe("subscription filters an operator may use", () => {
  it.each([
    ["lanterne/lumiere-est/#", true],
    ["lanterne/lumiere-est/readings", true],
    ["lanterne/lumiere-est/+/#", true],
    ["lanterne/lumiere-est/devices/+/readings", true],
    ["lanterne/lumiere-est", false],
    ["lanterne/lumiere-estX/#", false],
    ["lanterne/lumiere-est+/#", false],
    ["lanterne/+/readings", false],
    ["lanterne/#", false],
    ["lanterne/eaux-alzette/#", false],
    ["#", false],
    ["+/#", false],
    ["+/lumiere-est/#", false],
    ["$SYS/#", false],
  ])("%s: %s for lumiere-est", (filter, allowed) => {
    expect(subscriptionAllowed(filter, "lumiere-est")).toBe(allowed);
  });
});
