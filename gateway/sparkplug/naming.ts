/**
 * How Sparkplug identities and metric names become Lanterne's: the inventory device id and the
 * contract's field names. Both are functions so that a collectivity can plug in a table from its
 * inventory; the defaults below need no configuration.
 */

/** The inventory device id for a Sparkplug device (or the edge node itself, `deviceId` undefined). */
export type DeviceResolver = (
  group: string,
  edgeNode: string,
  deviceId: string | undefined,
) => string | undefined;

/** The contract field name for a metric of a group, or undefined to drop the metric. */
export type FieldNamer = (metricName: string, group: string) => string | undefined;

/** Default: the Sparkplug device_id is the inventory id; node-level metrics belong to the edge node. */
export const defaultDeviceResolver: DeviceResolver = (_group, edgeNode, deviceId) => deviceId ?? edgeNode;

/**
 * Metrics that describe the session, not the asset (§6.4.2 bdSeq, §6.4.3 "Node Control/*",
 * and "Device Control/*" by the same convention): never readings.
 */
export function isSessionMetric(metricName: string): boolean {
  return (
    metricName === "bdSeq" ||
    metricName.startsWith("Node Control/") ||
    metricName.startsWith("Device Control/")
  );
}

/**
 * Default: snake_case of the metric name, so `Power/Active` -> `power_active` and
 * `active_power_w` stays; session metrics are dropped.
 */
export const defaultFieldNamer: FieldNamer = (metricName) => {
  if (isSessionMetric(metricName)) return undefined;
  const name = metricName
    .trim()
    .toLowerCase()
    .replace(/[/\s-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return name === "" ? undefined : name;
};
