import type { Authenticator } from "../auth/principals.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import type { RawUplink } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import type { QuarantineStore, TimeSeriesStore, ViolationLog } from "../storage/store.ts";

/** What the API reads through. It never publishes on MQTT and never writes readings itself. */
export interface ApiDeps {
  store: TimeSeriesStore & QuarantineStore & ViolationLog;
  devices: DeviceIndex;
  contracts: ContractRegistry;
  authenticator: Authenticator;
  clock: Clock;
  /** The ingest entry point for operators pushing batches over HTTPS. */
  ingest: (uplink: RawUplink) => IngestVerdict;
  /** Readiness of the parts the API depends on. */
  readiness: () => Promise<Record<string, boolean>>;
  /** Numbers for health pages. */
  stats: () => Record<string, number>;
  /** The platform's metrics in Prometheus text format. */
  metrics: () => string;
  owner: { id: string; name: string };
  maxPayloadBytes: number;
}

export interface IngestVerdict {
  accepted: number;
  quarantined: number;
  items: Array<{ index: number; deviceId?: string; status: string; violations: unknown[] }>;
  refusedWhole: boolean;
  durable: Promise<void>;
}
