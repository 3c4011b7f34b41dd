import type { LatestReadings } from "../access/latest-readings.ts";
import type { AccessService } from "../access/service.ts";
import type { AlertStore } from "../alerts/store.ts";
import type { Authenticator } from "../auth/principals.ts";
import type { ExportJobs } from "../clauses/export-jobs.ts";
import type { AccessLog } from "../clauses/file-access-log.ts";
import type { PartnerService } from "../clauses/partners.ts";
import type { RegistersService } from "../clauses/registers-service.ts";
import type { ReplayService } from "../clauses/replay.ts";
import type { ClausesService } from "../clauses/service.ts";
import type { MapSettings, SessionSettings } from "../config.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import type { RawUplink, Violation } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import type { CommunityStore } from "../opendata/community-store.ts";
import type { OpenDataService } from "../opendata/service.ts";
import type { CitizenReports } from "../reports/citizen-reports.ts";
import type { RetentionStatus } from "../retention/keeper.ts";
import type { RetentionPlan, RetentionStore } from "../retention/plan.ts";
import type { QuarantineStore, RollupStore, TimeSeriesStore, ViolationLog } from "../storage/store.ts";
import type { WebhookDeps } from "./routes/integrations.ts";
import type { LorawanHealth } from "./routes/lorawan.ts";

/** What the API reads through. It never publishes on MQTT and never writes readings itself. */
export interface ApiDeps {
  /** Web sessions (services/api/plugins/session.ts); the defaults of services/config.ts when absent. */
  session?: SessionSettings;
  /** The map's tile server (LANTERNE_MAP_TILES); a plain background when absent. */
  map?: MapSettings;
  store: TimeSeriesStore & QuarantineStore & ViolationLog & RollupStore & RetentionStore;
  /** Gateways' and LoRaWAN devices' last reported health (none when the territory has no LoRaWAN). */
  lorawan?: () => LorawanHealth;
  /** Network servers' uplink webhooks, by integration id (none when the territory has none). */
  webhooks?: WebhookDeps;
  /** The retention plan from the contracts and the state of its scheduled purge. */
  retention: { plan: RetentionPlan; status: RetentionStatus };
  devices: DeviceIndex;
  /** Who may read what: every read route goes through it (services/access/). */
  access: AccessService;
  contracts: ContractRegistry;
  /** Each device's newest reading in memory, for the live map; the store answers without it. */
  latest?: LatestReadings;
  /** The open channel (/opendata) and its administration; without it neither is served. */
  opendata?: OpenDataService;
  /** Open channel settings: the public base URL and the rate limit per address. */
  opendataRoutes?: { publicUrl?: string; ratePerMinute: number };
  /** Re-users' declared reuses and questions; without it their routes are not served. */
  community?: CommunityStore;
  /** The tamper-evident access log (services/clauses); without it nothing is logged. */
  accessLog?: AccessLog;
  /** Scorecards, the exemption register, the breach record; without it their routes are not served. */
  clauses?: ClausesService;
  /** Export jobs (reversibility bundles); without them the export routes are not served. */
  exports?: ExportJobs;
  /** The processing register and the sobriety report; without it their routes are not served. */
  registers?: RegistersService;
  /** The quarantine replay (services/clauses/replay.ts); without it the replay routes are not served. */
  replay?: ReplayService;
  /** Partner agreements (services/clauses/partners.ts); without it their routes are not served. */
  partners?: PartnerService;
  /** Residents' reports (services/reports); without them the report routes are not served. */
  reports?: CitizenReports;
  /** The alerts' lifecycle store; without it the API has no alert routes. */
  alerts?: AlertStore;
  authenticator: Authenticator;
  clock: Clock;
  /** The ingest entry point for operators pushing batches over HTTPS. */
  ingest: (uplink: RawUplink) => IngestVerdict;
  /** Readiness of the parts the API depends on. */
  readiness: () => Promise<Record<string, boolean>>;
  /** False while the store fails its writes: ingestion then answers 503 at once instead of hanging. */
  storeWriting?: () => boolean;
  /** Numbers for health pages. */
  stats: () => Record<string, number>;
  /** The platform's metrics in Prometheus text format (collected at each call). */
  metrics: () => Promise<string>;
  owner: { id: string; name: string };
  maxPayloadBytes: number;
}

export interface IngestVerdict {
  accepted: number;
  quarantined: number;
  items: Array<{
    index: number;
    deviceId?: string;
    status: "accepted" | "quarantined";
    violations: Violation[];
  }>;
  refusedWhole: boolean;
  durable: Promise<void>;
}
