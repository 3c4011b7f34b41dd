import { createServer, type Server, Socket } from "node:net";
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from "aedes";
import { createWebSocketStream, WebSocketServer } from "ws";
import { type Authenticator, type Principal, retryAfterSeconds } from "../../services/auth/principals.ts";
import type { Clock } from "../../services/domain/clock.ts";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { IngestWriter } from "../pipeline/writer.ts";
import { type SparkplugIngest, sparkplugGroup } from "../sources/sparkplug-ingest.ts";
import { createFastEmitter } from "./fast-emitter.ts";
import { parseReadingsTopic, subscriptionAllowed } from "./topics.ts";

/**
 * The embedded MQTT broker (aedes). Operators authenticate with their username and secret,
 * connect with a client id in their own namespace (services/auth/client-id.ts) and publish under
 * `lanterne/{operator}/...` only. Ingestion runs inside `authorizePublish`, which
 * aedes calls before it sends PUBACK: a QoS 1 message is acknowledged only once it is durable
 * (stored, or kept in quarantine). For QoS 0 the callback waits only when the write backlog is
 * over its high-water mark, which holds the client's socket: TCP backpressure, not loss.
 */
export interface BrokerConfig {
  host: string;
  port: number;
  /** MQTT over WebSocket on this port (path /mqtt); disabled when undefined. */
  wsPort?: number;
  /** aedes/mqemitter concurrency. */
  concurrency: number;
}

export interface BrokerDeps {
  authenticator: Authenticator;
  pipeline: Pipeline;
  writer: IngestWriter;
  clock: Clock;
  /** Sparkplug B (`spBv1.0/{operator}/...`), when enabled. */
  sparkplug?: SparkplugIngest;
  /** False while the store fails its writes: new connections are refused (CONNACK 3). */
  storeWriting?: () => boolean;
}

export interface BrokerStats {
  connections: number;
  authFailures: number;
  /** CONNECTs refused for a client id in another operator's namespace. */
  clientIdRejected: number;
  forbidden: number;
  received: number;
}

/** CONNACK return codes (MQTT 3.1.1, 3.2.2.3). */
const IDENTIFIER_REJECTED = 2;
const BAD_CREDENTIALS = 4;
/** CONNACK 3: the server is unavailable (its store is not taking writes). */
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;

export class MqttBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly principals = new WeakMap<Client, Principal>();
  readonly stats: BrokerStats = {
    connections: 0,
    authFailures: 0,
    clientIdRejected: 0,
    forbidden: 0,
    received: 0,
  };

  constructor(
    private readonly deps: BrokerDeps,
    private readonly config: BrokerConfig,
  ) {}

  /** The port actually bound (useful with port 0). */
  port = 0;
  wsPort = 0;

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      mq: createFastEmitter(this.config.concurrency),
      concurrency: this.config.concurrency,
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done),
    });
    aedes.on("client", () => this.stats.connections++);
    aedes.on("clientDisconnect", () => this.stats.connections--);
    this.aedes = aedes;
    this.server = createServer((socket) => aedes.handle(socket));
    this.port = await listen(this.server, this.config.host, this.config.port);
    if (this.config.wsPort !== undefined) await this.startWebSocket(aedes, this.config.wsPort);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.aedes ? this.aedes.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async startWebSocket(aedes: Aedes, port: number): Promise<void> {
    const wss = new WebSocketServer({ host: this.config.host, port, path: "/mqtt" });
    wss.on("connection", (ws, req) => aedes.handle(createWebSocketStream(ws), req));
    await new Promise<void>((resolve, reject) => {
      wss.once("listening", resolve);
      wss.once("error", reject);
    });
    const address = wss.address();
    this.wsPort = typeof address === "object" && address ? address.port : port;
    this.wss = wss;
  }

  /**
   * Credentials first (refused: CONNACK 4; throttled after repeated failures: CONNACK 5, before
   * any secret check), then the client id: one in another operator's namespace is refused with
   * CONNACK 2 here, before aedes registers the client, so it never closes the other operator's
   * session [MQTT-3.1.4-2]. Any other id is registered as the authenticator says (confined to the
   * operator's namespace when it lies in nobody's).
   */
  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const refuse = (returnCode: 2 | 3 | 4 | 5, message: string) => {
      const err = new Error(message) as AuthenticateError;
      err.returnCode = returnCode;
      done(err, false);
    };
    const badCredentials = () => {
      this.stats.authFailures++;
      refuse(BAD_CREDENTIALS, "Bad username or password");
    };
    if (!username || !password) {
      badCredentials();
      return;
    }
    if (this.deps.storeWriting?.() === false) {
      refuse(SERVER_UNAVAILABLE, "The store is not taking writes");
      return;
    }
    const address = remoteAddress(client);
    const attempt = { scheme: "mqtt" as const, ...(address !== undefined ? { address } : {}) };
    this.deps.authenticator.operator(username, password.toString("utf8"), attempt).then(
      (principal) => {
        if (!principal?.operatorId) return badCredentials();
        const id = this.deps.authenticator.mqttClientId(principal.operatorId, client.id);
        if (id === undefined) {
          this.stats.clientIdRejected++;
          return refuse(IDENTIFIER_REJECTED, "Client id in another operator's namespace");
        }
        // aedes registers (and takes over) sessions by client.id after this callback.
        client.id = id;
        this.principals.set(client, principal);
        done(null, true);
      },
      (err: unknown) => {
        if (retryAfterSeconds(err) !== undefined) refuse(NOT_AUTHORIZED, "Too many failed logins");
        else badCredentials();
      },
    );
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (err?: Error | null) => void,
  ): void {
    if (!client) {
      done(null);
      return;
    }
    const principal = this.principals.get(client);
    const operatorId = principal?.operatorId ?? "";
    const receivedAt = this.deps.clock.now();
    const group = sparkplugGroup(packet.topic);
    if (group !== undefined && this.deps.sparkplug) {
      if (group !== operatorId) this.refuseTopic(operatorId, packet, receivedAt, done);
      else this.sparkplugPublish(this.deps.sparkplug, operatorId, packet, receivedAt, done);
      return;
    }
    const match = parseReadingsTopic(packet.topic);
    if (!match || match.operatorId !== operatorId) {
      this.refuseTopic(operatorId, packet, receivedAt, done);
      return;
    }
    this.stats.received++;
    const outcome = this.deps.pipeline.ingest({
      source: "mqtt",
      operatorId,
      ...(match.deviceId !== undefined ? { deviceId: match.deviceId } : {}),
      receivedAt,
      payload: packet.payload as Buffer,
      format: match.format,
    });
    const wait = packet.qos > 0 ? outcome.durable : this.deps.writer.whenRoom();
    if (wait) wait.then(() => done(null), done);
    else done(null);
  }

  /** As readings: a QoS 1 PUBACK once durable; QoS 0 held only while the write backlog is full. */
  private sparkplugPublish(
    sparkplug: SparkplugIngest,
    operatorId: string,
    packet: PublishPacket,
    receivedAt: number,
    done: (err?: Error | null) => void,
  ): void {
    this.stats.received++;
    const durable = sparkplug.ingest(operatorId, packet.topic, packet.payload as Buffer, receivedAt);
    const wait = packet.qos > 0 ? durable : this.deps.writer.whenRoom();
    if (packet.qos === 0) durable.catch(() => {});
    if (wait) wait.then(() => done(null), done);
    else done(null);
  }

  /** Publishes from the platform itself (Sparkplug rebirth commands): QoS 0, not retained. */
  publish(topic: string, payload: Buffer): void {
    this.aedes?.publish(
      { cmd: "publish", topic, payload, qos: 0, retain: false, dup: false } as PublishPacket,
      () => {},
    );
  }

  /** The payload is kept with the reason, then the client is disconnected (MQTT 3.1.1 has no NACK). */
  private refuseTopic(
    operatorId: string,
    packet: PublishPacket,
    receivedAt: number,
    done: (err?: Error) => void,
  ) {
    this.stats.forbidden++;
    const reason = violation(
      DataCode.TOPIC_FORBIDDEN,
      "topic",
      `${operatorId} may not publish to ${packet.topic}`,
    );
    const uplink = { source: "mqtt", operatorId, receivedAt, payload: packet.payload as Buffer };
    const err = Object.assign(new Error(reason.detail), { code: reason.code });
    this.deps.pipeline.refuse(uplink, reason).then(
      () => done(err),
      () => done(err),
    );
  }

  /**
   * A filter outside the operator's own prefix gets the failure return code 0x80 in the SUBACK
   * [MQTT-3.9.3]: aedes writes 128 for a null subscription, whereas an error would close the
   * connection. The other filters of the same SUBSCRIBE are granted as usual.
   */
  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (err: Error | null, sub?: Subscription | null) => void,
  ): void {
    const operatorId = this.principals.get(client)?.operatorId;
    const allowed =
      operatorId &&
      (subscriptionAllowed(sub.topic, operatorId) ||
        (this.deps.sparkplug && sparkplugGroup(sub.topic) === operatorId));
    done(null, allowed ? sub : null);
  }
}

/** TCP: the socket's peer; WebSocket: the peer of the HTTP upgrade request (no proxy header trusted). */
function remoteAddress(client: Client): string | undefined {
  if (client.conn instanceof Socket) return client.conn.remoteAddress;
  return client.req?.socket.remoteAddress;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
