import { type Socket, connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import mqttPacket, { type Packet, type Parser } from "mqtt-packet";
import { type Logger, silentLogger } from "../../services/domain/logger.ts";

/**
 * A minimal MQTT 3.1.1 client that follows another broker (a network server's) and acknowledges
 * each QoS 1 message only once Lanterne made it durable, without waiting for that before reading
 * the next one. mqtt.js hands messages over one at a time and sends the PUBACK when the handler
 * is done, so a handler that waits for durability reads about 50 messages a second; here many
 * messages are in flight (as many as the broker sends before acknowledgements: Mosquitto's
 * max_inflight_messages), and the PUBACKs leave in the order the messages came, as MQTT 3.1.1
 * section 4.6 requires.
 *
 * Persistent session (clean session off, fixed client id): what was not acknowledged when the
 * link or Lanterne went down is sent again by the broker; reconnects by itself with a fixed
 * delay; subscribes again when the broker kept no session.
 */
export interface FollowerOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  subscriptions: readonly string[];
  keepaliveS?: number;
  reconnectMs?: number;
  /** The link's incidents: lost (with the cause) once per outage, and back. */
  log?: Logger;
}

const CLOSE_WAIT_MS = 5_000;
/** Messages handled between two turns of the event loop. */
const SLICE = 32;

export class MqttFollower {
  connected = false;
  connects = 0;
  /** Messages the handler could not make durable (left unacknowledged, so sent again). */
  failures = 0;
  private socket: Socket | undefined;
  private closed = false;
  private generation = 0;
  private acks: Promise<void> = Promise.resolve();
  private ping: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private firstAttempt: (() => void) | undefined;
  /** Since when the link has been down (undefined while up, and before the first attempt). */
  private downSince: number | undefined;
  /** Why the current link failed, for the line logged when it is lost. */
  private cause: Error | undefined;

  constructor(
    private readonly options: FollowerOptions,
    /** Resolves once the message is durable (stored or quarantined); rejects when it is not. */
    private readonly onMessage: (topic: string, payload: Buffer) => Promise<void>,
  ) {}

  /** Resolves once the first connection is up or has failed (it keeps retrying either way). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.firstAttempt = resolve;
      this.open();
    });
  }

  /**
   * Sends the acknowledgements of what became durable (waiting at most `CLOSE_WAIT_MS`), then
   * disconnects; what is still unacknowledged is sent again to the next connection.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.acks,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      this.write({ cmd: "disconnect" });
      await new Promise<void>((resolve) => socket.end(() => resolve()));
    }
    this.teardown();
  }

  private open(): void {
    const generation = ++this.generation;
    const url = new URL(this.options.url);
    const secure = url.protocol === "mqtts:";
    const port = Number(url.port || (secure ? 8883 : 1883));
    const socket = secure
      ? tlsConnect({ host: url.hostname, port, servername: url.hostname })
      : tcpConnect({ host: url.hostname, port });
    this.socket = socket;
    const parser: Parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (packet) => this.enqueue(packet, generation));
    parser.on("error", () => socket.destroy());
    socket.on(secure ? "secureConnect" : "connect", () => this.hello());
    socket.on("data", (chunk: Buffer) => parser.parse(chunk));
    socket.on("error", (err) => {
      this.cause = err;
    });
    socket.on("close", () => this.lost(generation));
  }

  private hello(): void {
    this.write({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: false,
      clientId: this.options.clientId,
      keepalive: this.options.keepaliveS ?? 30,
      ...(this.options.username !== undefined ? { username: this.options.username } : {}),
      ...(this.options.password !== undefined ? { password: Buffer.from(this.options.password) } : {}),
    });
  }

  /**
   * A TCP chunk can hold hundreds of messages, each decoded and checked synchronously: they are
   * handled in slices, so that the broker's, the API's and the other sources' sockets are served
   * between them.
   */
  private readonly inbox: [Packet, number][] = [];
  private handling = false;

  private enqueue(packet: Packet, generation: number): void {
    this.inbox.push([packet, generation]);
    if (this.handling) return;
    this.handling = true;
    setImmediate(() => this.handleSlice());
  }

  private handleSlice(): void {
    for (let i = 0; i < SLICE && this.inbox.length > 0; i++) {
      const [packet, generation] = this.inbox.shift() as [Packet, number];
      this.receive(packet, generation);
    }
    if (this.inbox.length > 0) setImmediate(() => this.handleSlice());
    else this.handling = false;
  }

  private receive(packet: Packet, generation: number): void {
    if (generation !== this.generation) return;
    if (packet.cmd === "connack") {
      this.accepted(packet.returnCode ?? 0, packet.sessionPresent);
      return;
    }
    if (packet.cmd !== "publish") return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const durable = this.onMessage(packet.topic, payload);
    if (packet.qos === 0 || packet.messageId === undefined) {
      durable.catch(() => this.failures++);
      return;
    }
    const messageId = packet.messageId;
    // Acknowledged in arrival order, each once durable; none after the link it came on is gone.
    // A message that could not be made durable is never acknowledged: the link is dropped, and
    // the broker sends it (and those after it) again on the next connection.
    this.acks = Promise.all([this.acks, durable]).then(
      () => {
        if (generation === this.generation) this.write({ cmd: "puback", messageId });
      },
      (err: unknown) => {
        this.failures++;
        if (generation !== this.generation) return;
        const why = err instanceof Error ? err.message : String(err);
        this.cause = new Error(`a message could not be made durable, dropped to be sent again: ${why}`);
        this.socket?.destroy();
      },
    );
  }

  private accepted(returnCode: number, sessionPresent: boolean): void {
    if (returnCode !== 0) {
      this.cause = new Error(`the broker refused the connection (CONNACK return code ${returnCode})`);
      this.socket?.destroy();
      return;
    }
    this.connected = true;
    this.connects++;
    this.logUp(sessionPresent);
    if (!sessionPresent) {
      const subscriptions = this.options.subscriptions.map((topic) => ({ topic, qos: 1 as const }));
      this.write({ cmd: "subscribe", messageId: 1, subscriptions });
    }
    const every = ((this.options.keepaliveS ?? 30) * 1000) / 2;
    this.ping = setInterval(() => this.write({ cmd: "pingreq" }), every);
    this.ping.unref();
    this.firstAttempt?.();
    this.firstAttempt = undefined;
  }

  private lost(generation: number): void {
    if (generation !== this.generation) return;
    this.logDown();
    this.teardown();
    this.firstAttempt?.();
    this.firstAttempt = undefined;
    if (this.closed) return;
    this.retry = setTimeout(() => this.open(), this.options.reconnectMs ?? 1_000);
    this.retry.unref();
  }

  private get log(): Logger {
    return this.options.log ?? silentLogger;
  }

  private fields(): Record<string, unknown> {
    return { broker: new URL(this.options.url).host, clientId: this.options.clientId };
  }

  private logUp(sessionPresent: boolean): void {
    const fields = { ...this.fields(), sessionPresent };
    if (this.downSince === undefined) this.log.info(fields, "connected to the broker");
    else this.log.info({ ...fields, downMs: Date.now() - this.downSince }, "connected to the broker again");
    this.downSince = undefined;
  }

  /** Once per outage: reconnection attempts every `reconnectMs` are not logged each. */
  private logDown(): void {
    const err = this.cause;
    this.cause = undefined;
    if (this.closed || this.downSince !== undefined) return;
    this.downSince = Date.now();
    const fields = {
      ...this.fields(),
      ...(err ? { err } : {}),
      reconnectMs: this.options.reconnectMs ?? 1_000,
    };
    if (this.connected) this.log.warn(fields, "link to the broker lost; reconnecting");
    else this.log.warn(fields, "cannot connect to the broker; retrying");
  }

  private teardown(): void {
    this.connected = false;
    if (this.ping) clearInterval(this.ping);
    this.ping = undefined;
  }

  private write(packet: Packet): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    mqttPacket.writeToStream(packet, socket, { protocolVersion: 4 });
  }
}
