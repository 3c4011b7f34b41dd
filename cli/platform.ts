import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { pino, type Logger as RootLogger } from "pino";
import { MqttBroker } from "../gateway/broker/broker.ts";
import { createCodecDecoder } from "../gateway/codecs/decoder.ts";
import { mapCodecData } from "../gateway/codecs/mapping.ts";
import { createDefaultCodecRegistry } from "../gateway/codecs/registry.ts";
import { type AsyncCodecSandbox, createWorkerCodecSandbox } from "../gateway/codecs/worker-sandbox.ts";
import { GatewayWatch } from "../gateway/lorawan/gateway-watch.ts";
import { createPipeline, type Pipeline } from "../gateway/pipeline/pipeline.ts";
import { StoreWatch } from "../gateway/pipeline/store-watch.ts";
import { DEFAULT_WRITER, IngestWriter } from "../gateway/pipeline/writer.ts";
import { ChirpstackSource } from "../gateway/sources/chirpstack.ts";
import {
  createSparkplugIngest,
  type EdgeNodeChange,
  type SparkplugIngest,
} from "../gateway/sources/sparkplug-ingest.ts";
import { createUplinkDecoder } from "../gateway/sources/uplink-decoder.ts";
import { LatestReadings } from "../services/access/latest-readings.ts";
import { createAccessService } from "../services/access/service.ts";
import { createDuckdbAlertStore } from "../services/alerts/duckdb-alert-store.ts";
import { createRuleEngine, DEFAULT_RULE_ENGINE, type RuleEngine } from "../services/alerts/engine.ts";
import {
  EDGE_NODE_OFFLINE,
  edgeNodeSubject,
  GATEWAY_OFFLINE,
  GATEWAY_SILENT_AFTER_MS,
  gatewaySubject,
  type InfrastructureSignal,
} from "../services/alerts/infrastructure.ts";
import { loadWebhooksFile } from "../services/alerts/sinks/webhook-config.ts";
import { registerWebhookMetrics } from "../services/alerts/sinks/webhook-metrics.ts";
import { createWebhookSinks, type WebhookSinks } from "../services/alerts/sinks/webhooks.ts";
import type { AlertStore } from "../services/alerts/store.ts";
import { buildApp } from "../services/api/app.ts";
import type { LorawanHealth } from "../services/api/routes/lorawan.ts";
import { type Authenticator, createAuthenticator } from "../services/auth/principals.ts";
import type { ClauseStore } from "../services/clauses/clause-store.ts";
import { ComplianceWatch } from "../services/clauses/compliance-watch.ts";
import { announceContractChanges } from "../services/clauses/contract-announcer.ts";
import { DeliveryRecorder } from "../services/clauses/delivery-recorder.ts";
import { createDuckdbClauseStore } from "../services/clauses/duckdb-clause-store.ts";
import { createDuckdbPartnerStore } from "../services/clauses/duckdb-partner-store.ts";
import { createDuckdbReplayLog } from "../services/clauses/duckdb-replay-log.ts";
import { ExportJobs } from "../services/clauses/export-jobs.ts";
import { type AccessLog, createFileAccessLog } from "../services/clauses/file-access-log.ts";
import type { PartnerStore } from "../services/clauses/partner-store.ts";
import { createPartnerService, partnerCredential } from "../services/clauses/partners.ts";
import { createRegistersService } from "../services/clauses/registers-service.ts";
import { createReplayService } from "../services/clauses/replay.ts";
import type { ReplayLog } from "../services/clauses/replay-log.ts";
import { createClausesService } from "../services/clauses/service.ts";
import { dataDirFootprint } from "../services/clauses/sobriety.ts";
import { type Config, mapSettings, sessionSettings } from "../services/config.ts";
import type { MeasureKind } from "../services/contracts/model.ts";
import { type ContractRegistry, loadContractDir } from "../services/contracts/registry.ts";
import { type Clock, systemClock } from "../services/domain/clock.ts";
import { ConfigInvalidError } from "../services/domain/errors.ts";
import type { Logger } from "../services/domain/logger.ts";
import type { Device } from "../services/domain/types.ts";
import { createDeviceIndex, type DeviceIndex } from "../services/inventory/device-index.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { hashSecret, verifySecret } from "../services/inventory/secrets.ts";
import { loadTerritoryFile, type TerritoryFile } from "../services/inventory/territory-file.ts";
import { HealthWriter } from "../services/metrics/health-writer.ts";
import { createPlatformMetrics, type PlatformMetrics } from "../services/metrics/platform-metrics.ts";
import type { CommunityStore } from "../services/opendata/community-store.ts";
import type { ComputeDeps } from "../services/opendata/compute.ts";
import { createDuckdbCommunityStore } from "../services/opendata/duckdb-community-store.ts";
import { createDuckdbPublicationStore } from "../services/opendata/duckdb-publication-store.ts";
import { createPlaces } from "../services/opendata/places.ts";
import type { PublicationStore } from "../services/opendata/publication-store.ts";
import { Publisher } from "../services/opendata/publisher.ts";
import { createOpenDataService, type OpenDataService } from "../services/opendata/service.ts";
import { CitizenReports } from "../services/reports/citizen-reports.ts";
import { DAY_MS, RETENTION_INTERVAL_MS, RetentionKeeper } from "../services/retention/keeper.ts";
import { retentionPlan } from "../services/retention/plan.ts";
import { DEFAULT_ROLLUPS, RollupMaintainer } from "../services/rollups/maintainer.ts";
import { MirroredRollups } from "../services/rollups/mirror.ts";
import { composeStores, type PlatformStore } from "../services/storage/composite-store.ts";
import { createDuckdbWorkerStore } from "../services/storage/duckdb-worker-store.ts";
import { createInfluxStore, type InfluxStore, parseInfluxUrl } from "../services/storage/influx-store.ts";
import { SpooledStore } from "../services/storage/spooled-store.ts";
import { createIntegrations, type Integrations } from "./integrations.ts";
import { createSemtechUdp, type SemtechUdp } from "./semtech.ts";

export interface PlatformParts {
  logger: RootLogger;
  storeWatch: StoreWatch;
  territory: TerritoryFile;
  contracts: ContractRegistry;
  devices: DeviceIndex;
  store: PlatformStore;
  writer: IngestWriter;
  pipeline: Pipeline;
  broker: MqttBroker;
  authenticator: Authenticator;
  clock: Clock;
  metrics: PlatformMetrics;
  rollups: RollupMaintainer;
  codecs: AsyncCodecSandbox;
  sparkplug: SparkplugIngest;
  integrations: Integrations;
  semtechUdp?: SemtechUdp;
  recentRollups: MirroredRollups;
  retention: RetentionKeeper;
  spool?: SpooledStore;
  health?: HealthWriter;
  alerts: AlertStore;
  ruleEngine: RuleEngine;
  webhooks: WebhookSinks;
  latest: LatestReadings;
  publications: PublicationStore;
  community: CommunityStore;
  opendata: OpenDataService;
  publisher: Publisher;
  reports: CitizenReports;
  accessLog: AccessLog;
  clauses: ClauseStore;
  deliveries: DeliveryRecorder;
  complianceWatch: ComplianceWatch;
  replays: ReplayLog;
  partners: PartnerStore;
}

/**
 * The composition root: one process running the broker, the pipeline, the embedded store and
 * the API. Everything is built here from the configuration; `start()` opens the store first
 * and the listeners last, `close()` does the reverse and writes what is pending.
 */
export class Platform {
  api: FastifyInstance | undefined;
  apiUrl = "";

  /** The root logger (LANTERNE_LOG_LEVEL): the API's, and its children's in every part. */
  readonly logger: RootLogger;
  readonly territory: TerritoryFile;
  /** Whether the stores still take writes: readiness, and a bounded life for a failed store. */
  readonly storeWatch: StoreWatch;
  /**
   * What to do once the store has failed for `LANTERNE_STORE_FAILURE_EXIT_S`: `serve` exits
   * non-zero so that the supervisor restarts the process; in a test, whatever the test asks.
   */
  onStoreFailed: (reason: string) => void = () => {};
  readonly contracts: ContractRegistry;
  readonly devices: DeviceIndex;
  readonly store: PlatformStore;
  readonly writer: IngestWriter;
  readonly pipeline: Pipeline;
  readonly broker: MqttBroker;
  readonly authenticator: Authenticator;
  readonly clock: Clock;
  readonly metrics: PlatformMetrics;
  readonly rollups: RollupMaintainer;
  /** Device codecs (built in, and the territory's `codecs/` folder) and their sandbox. */
  readonly codecs: AsyncCodecSandbox;
  /** Sparkplug B on the embedded broker, with the latest health event of each node and device. */
  readonly sparkplug: SparkplugIngest;
  /** The collectivity's own gateways (Semtech UDP), when the territory lists some. */
  readonly semtechUdp: SemtechUdp | undefined;
  /** LoRaWAN network servers (ChirpStack, The Things Stack) the territory receives data from. */
  readonly integrations: Integrations;
  /** The recent commune/domain rollups in memory (aggregates over them need no query). */
  readonly recentRollups: MirroredRollups;
  readonly retention: RetentionKeeper;
  readonly spool: SpooledStore | undefined;
  /** With InfluxDB: the platform's health written beside the readings for Grafana. */
  readonly health: HealthWriter | undefined;
  /** Alerts on their own DuckDB file (alerts.duckdb), raised and cleared by the rule engine. */
  readonly alerts: AlertStore;
  /** The contracts' rules over durable readings (writer.onDurable), ticked every 10 s for silences. */
  readonly ruleEngine: RuleEngine;
  /** Alert transitions POSTed to the collectivity's systems (webhooks.yaml), from the alert history. */
  readonly webhooks: WebhookSinks;
  readonly latest: LatestReadings;
  readonly publications: PublicationStore;
  /** Re-users' declared reuses and questions, on their own DuckDB file (community.duckdb). */
  readonly community: CommunityStore;
  readonly opendata: OpenDataService;
  readonly publisher: Publisher;
  readonly reports: CitizenReports;
  readonly accessLog: AccessLog;
  /** The clauses' own record: delivery ledger, exemptions, breaches (data/clauses.duckdb). */
  readonly clauses: ClauseStore;
  readonly deliveries: DeliveryRecorder;
  readonly complianceWatch: ComplianceWatch;
  /** The traces of quarantine entries replayed (data/replays.duckdb). */
  readonly replays: ReplayLog;
  /** Partner and research agreements (data/partners.duckdb). */
  readonly partners: PartnerStore;
  /** Reversibility bundles made while the platform runs (data/exports). */
  readonly exports: ExportJobs;
  private ruleTicks: NodeJS.Timeout | undefined;
  private gatewayWatch: GatewayWatch | undefined;

  constructor(
    readonly config: Config,
    parts: PlatformParts,
  ) {
    this.logger = parts.logger;
    this.territory = parts.territory;
    this.storeWatch = parts.storeWatch;
    this.contracts = parts.contracts;
    this.devices = parts.devices;
    this.store = parts.store;
    this.writer = parts.writer;
    this.pipeline = parts.pipeline;
    this.broker = parts.broker;
    this.authenticator = parts.authenticator;
    this.clock = parts.clock;
    this.metrics = parts.metrics;
    this.rollups = parts.rollups;
    this.integrations = parts.integrations;
    this.codecs = parts.codecs;
    this.sparkplug = parts.sparkplug;
    this.semtechUdp = parts.semtechUdp;
    this.recentRollups = parts.recentRollups;
    this.retention = parts.retention;
    this.spool = parts.spool;
    this.health = parts.health;
    this.alerts = parts.alerts;
    this.ruleEngine = parts.ruleEngine;
    this.webhooks = parts.webhooks;
    this.latest = parts.latest;
    this.publications = parts.publications;
    this.community = parts.community;
    this.opendata = parts.opendata;
    this.publisher = parts.publisher;
    this.reports = parts.reports;
    this.accessLog = parts.accessLog;
    this.clauses = parts.clauses;
    this.deliveries = parts.deliveries;
    this.complianceWatch = parts.complianceWatch;
    this.replays = parts.replays;
    this.partners = parts.partners;
    this.exports = new ExportJobs(
      {
        store: this.store,
        alerts: this.alerts,
        clauses: this.clauses,
        contracts: this.contracts,
        devices: this.devices,
        owner: { id: this.territory.owner.id, name: this.territory.owner.name },
        accessLogPath: this.accessLog.path,
        flushAccessLog: () => this.accessLog.flush(),
        now: () => this.clock.now(),
      },
      join(config.dataDir, "exports"),
      this.logger.child({ component: "exports" }),
      () => this.clock.now(),
    );
  }

  async start(): Promise<void> {
    await this.store.start();
    this.seedLatest();
    await this.alerts.start();
    await announceContractChanges({
      contracts: this.contracts,
      devices: this.devices,
      alerts: this.alerts,
      now: this.clock.now(),
    });
    await this.ruleEngine.start();
    await this.webhooks.start();
    await this.publications.start();
    await this.accessLog.start();
    await this.clauses.start();
    await this.replays.start();
    await this.partners.start();
    this.deliveries.start();
    this.complianceWatch.start();
    await this.community.start();
    this.reports.start();
    this.publisher.start();
    // Gateways gone dark are checked on the same 10 s beat as the silences they stand for.
    this.gatewayWatch = new GatewayWatch({ silentAfterMs: GATEWAY_SILENT_AFTER_MS }, this.clock.now());
    this.ruleTicks = setInterval(() => {
      const now = this.clock.now();
      void this.checkGateways(now);
      void this.ruleEngine.tick(now);
    }, 10_000).unref();
    this.storeWatch.start();
    await this.recentRollups.start();
    this.rollups.start(this.devices.list().map((d) => d.id));
    this.retention.start();
    this.health?.start();
    await this.broker.start();
    const access = createAccessService({
      devices: this.devices,
      contracts: this.contracts,
      store: this.store,
      clock: this.clock,
      territory: this.territory,
      replays: this.replays,
    });
    this.api = await buildApp(
      {
        store: this.store,
        devices: this.devices,
        access,
        contracts: this.contracts,
        alerts: this.alerts,
        latest: this.latest,
        opendata: this.opendata,
        community: this.community,
        reports: this.reports,
        accessLog: this.accessLog,
        exports: this.exports,
        registers: createRegistersService({
          contracts: this.contracts,
          policy: access.policy,
          ledger: this.clauses,
          store: this.store,
          retention: this.retention,
          footprint: () => dataDirFootprint(this.config.dataDir, this.config.store.startsWith("influx://")),
          hostingLocation: this.config.hostingLocation,
          owner: this.territory.owner,
          clock: this.clock,
        }),
        partners: createPartnerService({
          store: this.partners,
          archive: this.store,
          contracts: this.contracts,
          devices: this.devices,
          clock: this.clock,
          hashSecret,
        }),
        replay: createReplayService({
          quarantine: this.store,
          replays: this.replays,
          pipeline: this.pipeline,
          devices: this.devices,
          contracts: this.contracts,
          policy: access.policy,
          now: () => this.clock.now(),
        }),
        clauses: createClausesService({
          store: this.clauses,
          policy: access.policy,
          devices: this.devices,
          contracts: this.contracts,
          clock: this.clock,
        }),
        opendataRoutes: {
          ratePerMinute: this.config.opendataRate,
          ...(this.config.publicUrl !== "" ? { publicUrl: this.config.publicUrl } : {}),
        },
        authenticator: this.authenticator,
        clock: this.clock,
        ingest: (uplink) => this.pipeline.ingest(uplink),
        readiness: async () => ({
          store: this.storeWatch.healthy && (await this.store.ping()),
          mqtt: this.broker.port > 0,
        }),
        storeWriting: () => this.storeWatch.healthy,
        stats: () => this.stats(),
        retention: this.retention,
        webhooks: { webhooks: this.integrations.webhooks, verifySecret },
        lorawan: () => this.lorawanHealth(),
        metrics: () => this.metrics.registry.metrics(),
        owner: this.territory.owner,
        maxPayloadBytes: this.config.maxPayloadBytes,
        session: sessionSettings(this.config),
        map: mapSettings(this.config),
      },
      { loggerInstance: this.logger, trustProxy: this.config.trustProxy === "true" },
    );
    this.apiUrl = await this.api.listen({ host: this.config.host, port: this.config.httpPort });
    await this.integrations.start();
    await this.semtechUdp?.counters.start();
    await this.semtechUdp?.source.start();
  }

  /**
   * Approves every open dataset still in preview, as `by`, and starts a release at once: the
   * demo publishes what its contracts declare. Elsewhere an administrator approves each dataset.
   */
  async approveOpenData(by: string): Promise<void> {
    for (const d of await this.opendata.list(true)) {
      if (d.state === "preview") await this.opendata.approve(d.id, by);
    }
    const release = () =>
      this.publisher.run().catch((err: unknown) => this.logger.warn({ err }, "open data: release failed"));
    void release();
    // Again once the first rollup pass has run (about 30 s after start): the history the demo
    // plays at start is in the figures within two minutes, not at the next 10-minute run.
    setTimeout(() => void release(), DEMO_SECOND_RELEASE_MS).unref();
  }

  /**
   * The live map's latest readings, seeded from the store without holding the start: until the
   * seed is in, live views read the store as before. A failed seed leaves them on the store.
   */
  private seedLatest(): void {
    this.store
      .latest({})
      .then((states) => this.latest.seed(states))
      .catch((err: unknown) =>
        this.logger.warn({ err }, "latest readings not seeded: live views read the store"),
      );
  }

  /**
   * Stops the sources, writes what is pending, closes the stores. Resolves false when the store
   * could not take what was pending (it had failed): that was never acknowledged.
   */
  async close(): Promise<boolean> {
    this.storeWatch.close();
    await this.semtechUdp?.source.close();
    await this.semtechUdp?.counters.close();
    await this.integrations.close();
    await this.api?.close();
    await this.broker.close();
    const written = await this.writer.close(this.config.storeFailureExitS * 1000);
    clearInterval(this.ruleTicks);
    await this.webhooks.close();
    await this.publisher.close();
    await this.exports.idle();
    await this.complianceWatch.close();
    await this.deliveries.close();
    await this.clauses.close();
    await this.accessLog.close();
    this.reports.close();
    await this.publications.close();
    await this.community.close();
    await this.ruleEngine.close();
    await this.alerts.close();
    await this.rollups.close();
    await this.retention.close();
    await this.replays.close();
    await this.partners.close();
    this.recentRollups.close();
    await this.health?.close();
    await this.store.close();
    await this.codecs.close();
    return written;
  }

  /**
   * The collectivity's gateways that went dark or came back since the last check, as
   * `platform/gateway-offline` signals to the rule engine (services/alerts/infrastructure.ts).
   */
  async checkGateways(now: number = this.clock.now()): Promise<void> {
    const udp = this.semtechUdp;
    if (!udp || !this.gatewayWatch) return;
    const hearing = { gateways: udp.gateways, lastHeard: udp.source.lastHeard, lastUplinks: udp.lastUplinks };
    for (const g of this.gatewayWatch.check(now, hearing)) {
      const since =
        g.lastSeen !== undefined ? `depuis ${new Date(g.lastSeen).toISOString()}` : "depuis le démarrage";
      await this.ruleEngine.signal({
        subject: gatewaySubject(g.eui),
        ruleId: GATEWAY_OFFLINE,
        state: g.state,
        at: g.at,
        detail: `passerelle LoRaWAN « ${g.name} » muette ${since}`,
        children: g.devices.filter((id) => this.devices.get(id) !== undefined),
      });
    }
  }

  /** Gateways from the Semtech UDP listener, device statuses from the network servers. */
  lorawanHealth(): LorawanHealth {
    const status = this.semtechUdp?.gatewayStatus;
    const heard = this.semtechUdp?.source.lastHeard;
    const gateways = (this.semtechUdp?.gateways ?? []).map((g) => {
      const last = status?.get(g.eui);
      const lastSeen = heard?.get(g.eui);
      return {
        ...g,
        ...(lastSeen !== undefined ? { lastSeen } : {}),
        ...(last ? { stat: last.stat as Record<string, unknown> } : {}),
      };
    });
    const devices = this.integrations.sources.flatMap((s) =>
      s instanceof ChirpstackSource
        ? [...s.health].map(([deviceId, h]) => ({ deviceId, source: s.name, ...h }))
        : [],
    );
    const sparkplug = [...this.sparkplug.health.values()].map((e) => ({
      group: e.group,
      edgeNode: e.edgeNode,
      ...(e.deviceId !== undefined ? { deviceId: e.deviceId } : {}),
      kind: e.kind,
      time: e.time,
      detail: e.detail,
    }));
    const lastUplinks = this.semtechUdp?.lastUplinks;
    const abp = (this.semtechUdp?.sessions.all() ?? []).map((session) => {
      const { fCntUp, ...rest } = session.toJSON();
      const lastUplink = lastUplinks?.get(rest.deviceId);
      return {
        ...rest,
        ...(fCntUp !== undefined ? { fCntUp } : {}),
        ...(lastUplink ? { lastUplink } : {}),
      };
    });
    return { gateways, abp, devices, sparkplug };
  }

  private spoolStats(): Record<string, number> {
    if (!this.spool) return {};
    const s = this.spool.stats();
    return {
      spool_segments: s.segments,
      spool_bytes: s.bytes,
      spool_oldest_age_s: Math.round(s.oldestAgeMs / 1000),
      spool_drained: s.drained,
      spool_rejected: s.rejected,
    };
  }

  stats(): Record<string, number> {
    const w = this.writer.stats;
    const b = this.broker.stats;
    return {
      devices: this.devices.size,
      mqtt_connections: b.connections,
      mqtt_messages: b.received,
      mqtt_auth_failures: b.authFailures,
      mqtt_forbidden: b.forbidden,
      write_pending: w.pending,
      write_flushes: w.flushes,
      observations_written: w.written,
      quarantined: w.quarantined,
      write_failures: w.failures,
      rollup_passes: this.rollups.stats.passes,
      rollup_dirty_buckets: this.rollups.stats.dirtyBuckets,
      rollup_failures: this.rollups.stats.failures,
      ...this.spoolStats(),
    };
  }
}

/** When the demo releases its open data a second time, after the first rollup pass. */
const DEMO_SECOND_RELEASE_MS = 90_000;

export async function createPlatform(config: Config, clock: Clock = systemClock): Promise<Platform> {
  const logger = createRootLogger(config);
  const territory = await loadTerritoryFile(config.territoryDir);
  const contracts = await loadContractDir(territory.contractsDir);
  const inventory = await loadInventoryFile(
    territory.inventoryPath,
    { ownerId: territory.owner.id },
    territory.assignmentsPath ? { assignmentsFile: territory.assignmentsPath } : {},
  );
  checkInventory(inventory, contracts, territory);
  const devices = createDeviceIndex(inventory, () => clock.now());
  const state = createDuckdbWorkerStore({
    path: join(config.dataDir, "lanterne.duckdb"),
    checkpointKib: config.duckdbCheckpointKib,
    memoryMib: config.duckdbMemoryMib,
    minFreeBytes: config.minFreeMib * 1_048_576,
  });
  const influx = createInfluxFromConfig(config);
  const spool = influx && createSpool(influx, config, logger.child({ component: "spool" }));
  const recentRollups = new MirroredRollups(influx ?? state, () => clock.now());
  const store = composeStores(spool ?? state, state, recentRollups, influx ?? state);
  const writer = new IngestWriter(
    store,
    { ...DEFAULT_WRITER, highWater: config.highWater },
    logger.child({ component: "writer" }),
  );
  const rollups = new RollupMaintainer(
    store,
    DEFAULT_ROLLUPS,
    () => clock.now(),
    counterFields(contracts),
    stateFields(contracts),
    logger.child({ component: "rollups" }),
  );
  // Rollups are computed from what the time-series store holds: with the spool, once drained.
  if (spool) spool.onStored = (observations) => rollups.markDurable(observations);
  const metrics = createPlatformMetrics({
    writePending: () => writer.stats.pending,
    mqttConnections: () => broker.stats.connections,
    mqttAuthFailures: () => broker.stats.authFailures,
    mqttForbidden: () => broker.stats.forbidden,
    spool: () => spool?.stats() ?? { bytes: 0, segments: 0, oldestAgeMs: 0 },
    rollups: () => rollups.stats,
    auth: () => authenticator.stats,
    rules: () => ({ ...ruleEngine.stats, states: ruleEngine.size }),
    opendata: () => publishing.publisher.stats,
  });
  const alerts = createDuckdbAlertStore({ path: join(config.dataDir, "alerts.duckdb") });
  const ruleLog = logger.child({ component: "rules" });
  const publishing = openData(config, territory, contracts, devices, store, alerts, clock, logger);
  const ruleEngine = createRuleEngine(
    {
      contracts,
      devices,
      store: alerts,
      now: () => clock.now(),
      log: ruleLog,
    },
    { ...DEFAULT_RULE_ENGINE, statePath: join(config.dataDir, "rule-state.ndjson") },
  );
  const webhooks = createWebhookSinks(
    { store: alerts, dir: join(config.dataDir, "webhooks"), logger, clock },
    await loadWebhooksFile(config.webhooksFile || join(config.dataDir, "webhooks.yaml"), process.env, {
      required: config.webhooksFile !== "",
    }),
    {
      timeoutMs: config.webhookTimeoutS * 1000,
      backoff: { initialMs: 1000, maxMs: config.webhookRetryMaxS * 1000 },
    },
  );
  registerWebhookMetrics(metrics.registry, () => webhooks.stats());
  const latest = new LatestReadings();
  const replays = createDuckdbReplayLog({ path: join(config.dataDir, "replays.duckdb") });
  const partners = createDuckdbPartnerStore({ path: join(config.dataDir, "partners.duckdb") });
  const clauses = createDuckdbClauseStore({ path: join(config.dataDir, "clauses.duckdb") }, clock);
  const latencies = new Map(contracts.all().map((c) => [c.key, c.latencyMs]));
  const deliveries = new DeliveryRecorder(
    clauses,
    (key) => latencies.get(key),
    logger.child({ component: "deliveries" }),
  );
  writer.onDurable = (observations, seconds, refused) => {
    metrics.flushed(observations.length, seconds);
    deliveries.observe(observations);
    deliveries.refused(refused.quarantine, refused.violations);
    latest.observe(observations);
    ruleEngine.observe(observations);
    if (!spool) rollups.markDurable(observations);
  };
  const pipeline = createPipeline({
    devices,
    contracts,
    writer,
    observe: metrics.observe,
    limits: { maxPayloadBytes: config.maxPayloadBytes, maxBatch: config.maxBatch, maxFutureMs: 300_000 },
  });
  const authenticator = createAuthenticator(territory.operators, territory.users, verifySecret, {
    partners: (agreementId) => partnerCredential(partners, agreementId),
  });
  const codecs = await createWorkerCodecSandbox({}, { log: logger.child({ component: "codecs" }) });
  const codecDir = join(territory.dir, "codecs");
  const registry = await createDefaultCodecRegistry(existsSync(codecDir) ? codecDir : undefined);
  const bytesDecoder = createCodecDecoder({ registry, sandbox: codecs, devices });
  const decoder = createUplinkDecoder({
    bytes: bytesDecoder,
    objects: {
      // A network server ran the vendor's codec: its output goes through the same mapping.
      map: (device, data) => {
        const id = device.attributes.codec;
        return typeof id === "string" ? mapCodecData(id, data, device).data : undefined;
      },
    },
  });
  const integrations = createIntegrations(territory.integrations, {
    devices,
    pipeline,
    clock,
    decoder,
    env: process.env,
    log: logger.child({ component: "integrations" }),
  });
  const semtechUdp = await createSemtechUdp(territory, {
    devices,
    pipeline,
    decoder,
    clock,
    host: config.host,
    port: config.udpPort,
    env: process.env,
    counters: store,
  });
  const sparkplug = createSparkplugIngest({
    pipeline,
    publish: (topic, payload) => broker.publish(topic, payload),
    now: () => clock.now(),
    // An edge node's NDEATH or NBIRTH: one `platform/edge-node-offline` alert for the node.
    onNodeChange: (change) => void ruleEngine.signal(edgeNodeSignal(change, devices)),
  });
  const broker: MqttBroker = new MqttBroker(
    { authenticator, pipeline, writer, clock, sparkplug, storeWriting: () => storeWatch.healthy },
    { host: config.host, port: config.mqttPort, wsPort: config.wsPort, concurrency: config.mqttConcurrency },
  );
  const storeLog = logger.child({ component: "store-watch" });
  const storeWatch = new StoreWatch(
    {
      writer,
      ping: () => store.ping(),
      now: () => Date.now(),
      log: (line, level) => storeLog[level](line),
      onFailed: (reason) => platform.onStoreFailed(reason),
    },
    { checkMs: 1000, unreadyAfterMs: 5000, exitAfterMs: config.storeFailureExitS * 1000 },
  );
  const platform: Platform = new Platform(config, {
    logger,
    storeWatch,
    territory,
    contracts,
    devices,
    store,
    writer,
    pipeline,
    broker,
    authenticator,
    clock,
    metrics,
    rollups,
    codecs,
    sparkplug,
    integrations,
    ...(semtechUdp ? { semtechUdp } : {}),
    recentRollups,
    retention: new RetentionKeeper(
      store,
      retentionPlan(contracts.all()),
      () => clock.now(),
      RETENTION_INTERVAL_MS,
      logger.child({ component: "retention" }),
      { store, keepMs: config.quarantineRetentionDays * DAY_MS, traces: replays },
    ),
    ...(spool ? { spool } : {}),
    ...(influx ? { health: healthWriter(influx, writer, broker, spool, clock) } : {}),
    alerts,
    ruleEngine,
    webhooks,
    latest,
    ...publishing,
    community: createDuckdbCommunityStore({ path: join(config.dataDir, "community.duckdb") }),
    accessLog: createFileAccessLog(join(config.dataDir, "access-log.ndjson"), (err) =>
      logger.error({ err, component: "access-log" }, "access log not written; kept and tried again"),
    ),
    clauses,
    replays,
    partners,
    deliveries,
    complianceWatch: new ComplianceWatch(
      { ledger: clauses, devices, contracts, alerts, now: () => clock.now() },
      logger.child({ component: "compliance" }),
    ),
    reports: new CitizenReports({
      alerts,
      devices,
      contracts,
      now: () => clock.now(),
      log: logger.child({ component: "reports" }),
    }),
  });
  return platform;
}

/**
 * The open channel: published figures in their own store (retention never reaches them), the
 * service the routes read through, and the publisher that records each release.
 */
function openData(
  config: Config,
  territory: TerritoryFile,
  contracts: ContractRegistry,
  devices: DeviceIndex,
  store: ComputeDeps["rollups"],
  alerts: AlertStore,
  clock: Clock,
  logger: RootLogger,
): Pick<PlatformParts, "publications" | "opendata" | "publisher"> {
  const publications = createDuckdbPublicationStore({ path: join(config.dataDir, "opendata.duckdb") });
  const place = { code: territory.epci ?? territory.owner.id, name: territory.owner.name };
  const compute = { rollups: store, alerts, devices: () => devices.list(), territory: place.code };
  const places = createPlaces({
    devices: () => devices.list(),
    device: (id) => devices.get(id),
    ...(territory.outlines ? { outlines: territory.outlines } : {}),
    territory: place,
  });
  const opendata = createOpenDataService({
    contracts,
    store: publications,
    compute,
    places,
    now: () => clock.now(),
    owner: territory.owner,
    contact: {
      name: territory.owner.name,
      email:
        config.opendataContact !== "" ? config.opendataContact : `opendata@${territory.owner.id}.invalid`,
    },
  });
  const publisher = new Publisher({
    ...compute,
    contracts,
    store: publications,
    now: () => clock.now(),
    log: logger.child({ component: "opendata" }),
  });
  return { publications, opendata, publisher };
}

/** The group is the operator's id (the broker's ACL); children are the inventory's devices only. */
function edgeNodeSignal(change: EdgeNodeChange, devices: DeviceIndex): InfrastructureSignal {
  return {
    subject: edgeNodeSubject(change.group, change.edgeNode),
    ruleId: EDGE_NODE_OFFLINE,
    state: change.state,
    at: change.time,
    detail: `concentrateur Sparkplug ${change.edgeNode} arrêté (${change.detail})`,
    operatorId: change.group,
    children: change.devices.filter((id) => devices.get(id) !== undefined),
  };
}

function healthWriter(
  influx: InfluxStore,
  writer: IngestWriter,
  broker: MqttBroker,
  spool: SpooledStore | undefined,
  clock: Clock,
): HealthWriter {
  return new HealthWriter(
    () => {
      const s = spool?.stats();
      return {
        readings_accepted: writer.stats.written,
        readings_quarantined: writer.stats.quarantined,
        write_pending: writer.stats.pending,
        spool_depth: s?.segments ?? 0,
        spool_age_s: Math.round((s?.oldestAgeMs ?? 0) / 1000),
        mqtt_connections: broker.stats.connections,
      };
    },
    (point) => influx.writePoint(point),
    () => clock.now(),
  );
}

function createInfluxFromConfig(config: Config): InfluxStore | undefined {
  if (config.store === "duckdb") return undefined;
  if (!config.store.startsWith("influx://")) {
    throw new ConfigInvalidError(
      `  - LANTERNE_STORE: expected duckdb or influx://host:port/database, got ${config.store}`,
    );
  }
  return createInfluxStore(parseInfluxUrl(config.store));
}

/** With InfluxDB, readings pass through a disk spool that holds them while it is unreachable. */
function createSpool(influx: InfluxStore, config: Config, log: Logger): SpooledStore {
  const spoolConfig = { dir: join(config.dataDir, "spool"), maxBytes: config.spoolMaxBytes, retryMs: 500 };
  return new SpooledStore(influx, spoolConfig, Date.now, log);
}

/**
 * JSON lines on standard error: standard output keeps `serve`'s summary for people, and the
 * store watch's lines are what a supervisor shows next to an exit. Written synchronously, so
 * that the line logged before `process.exit` is not lost; nothing is logged per message, so the
 * cost of a synchronous write stays negligible.
 */
function createRootLogger(config: Config): RootLogger {
  const options = { level: config.logLevel, timestamp: pino.stdTimeFunctions.isoTime };
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

/**
 * A device whose contract or operator does not exist would quarantine every reading: refuse the
 * inventory at start instead, naming every missing contract and operator.
 */
function checkInventory(
  devices: readonly Device[],
  contracts: ContractRegistry,
  territory: TerritoryFile,
): void {
  const operators = new Set(territory.operators.map((o) => o.id));
  const noContract = new Set(
    devices.filter((d) => contracts.versions(d.contractId).length === 0).map((d) => d.contractId),
  );
  const noOperator = new Set(
    devices.flatMap((d) => d.assignments.map((a) => a.operatorId)).filter((id) => !operators.has(id)),
  );
  const errors = [
    ...[...noContract].map((c) => `  - inventory names a contract that does not exist: ${c}`),
    ...[...noOperator].map((o) => `  - inventory names an operator not in territory.yaml: ${o}`),
  ];
  if (errors.length > 0) throw new ConfigInvalidError(errors.join("\n"));
}

/** Fields the contracts declare as counters (cumulative meters): their rollups hold consumption. */
function counterFields(contracts: ContractRegistry): string[] {
  return fieldsMeasuredAs(contracts, "counter");
}

/** State fields (on/off, ok/defective; text and flags by default): their rollups hold time per state. */
function stateFields(contracts: ContractRegistry): string[] {
  return fieldsMeasuredAs(contracts, "state");
}

function fieldsMeasuredAs(contracts: ContractRegistry, measure: MeasureKind): string[] {
  const names = contracts.all().flatMap((c) => [...c.fields.values()].filter((f) => f.measure === measure));
  return [...new Set(names.map((f) => f.name))];
}
