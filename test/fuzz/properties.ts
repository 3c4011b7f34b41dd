import fc, { type Arbitrary } from "fast-check";
import { check, isCatalogued, PropertyViolation } from "./checks.ts";
import type { Caller, Harness, Transport } from "./harness.ts";
import {
  chirpstackEventArb,
  datagramArb,
  jsonPayloadArb,
  OPERATORS,
  type OperatorId,
  operatorArb,
  protobufPayloadArb,
  queryValueArb,
  queryValueFor,
  sparkplugSessionArb,
  topicLevelArb,
  ttsBodyArb,
} from "./inputs.ts";

/**
 * The fuzz properties, one per way into the platform, shared by the seeded test
 * (test/fuzz/platform.test.ts) and the long runs (`npm run fuzz`). For every message:
 * - the platform stays up (GET /health answers 200 after each one) and no route answers 5xx;
 * - a message sent at QoS 1 or over HTTP is acknowledged (bounded wait), and by then it is
 *   durable: the writer's counters have grown by at least the verdicts it owes (one per reading
 *   of a batch, one for a message refused whole), so nothing is lost;
 * - what an answer shows of a refusal carries a code of the catalogue.
 */
export const SOURCE_NAMES = [
  "mqtt",
  "mqtt-pb",
  "ws",
  "sparkplug",
  "http",
  "http-pb",
  "tts",
  "udp",
  "chirpstack",
  "api",
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface FuzzSource {
  name: SourceName;
  /** What it sends, for the run's report. */
  what: string;
  property(h: Harness): Promise<fc.IAsyncPropertyWithHooks<[unknown]>>;
}

/** What a run of one property came to: fast-check's verdict, with what is needed to replay it. */
export interface SourceRun {
  /** A source's name, or `decoders/<property>`. */
  name: string;
  runs: number;
  seconds: number;
  failed: boolean;
  interrupted: boolean;
  seed: number;
  path?: string;
  counterexample?: string;
  error?: string;
}

/** Runs one property with the given seed; never throws for a failure (the report says it). */
export async function runSource(
  h: Harness,
  source: FuzzSource,
  options: { seed: number; numRuns: number; maxSeconds: number; path?: string },
): Promise<SourceRun> {
  const property = await source.property(h);
  const started = performance.now();
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns,
    ...(options.path !== undefined ? { path: options.path } : {}),
    // Shrinking resends messages to a live platform: keep it short, the seed and path replay it.
    plugins: [fc.interruptAfterTimeLimit(options.maxSeconds * 1000)],
    endOnFailure: false,
    skipAllAfterTimeLimit: options.maxSeconds * 1000 + 30_000,
  });
  const seconds = (performance.now() - started) / 1000;
  const failure = details.failed
    ? {
        ...(details.counterexamplePath !== null ? { path: details.counterexamplePath } : {}),
        ...(details.counterexample !== null
          ? { counterexample: shorten(fc.stringify(details.counterexample)) }
          : {}),
        ...(details.errorInstance !== null
          ? { error: shorten(String(errorText(details.errorInstance))) }
          : {}),
      }
    : {};
  return {
    name: source.name,
    runs: details.numRuns,
    seconds,
    failed: details.failed,
    interrupted: details.interrupted,
    seed: details.seed,
    ...failure,
  };
}

function errorText(error: unknown): string {
  if (error instanceof PropertyViolation) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Counterexamples can be 20,000 levels deep or 300 KB long: the head is enough to recognise one. */
function shorten(text: string, max = 1_500): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

// --- MQTT ------------------------------------------------------------------------------------

interface ReadingsMessage {
  operator: OperatorId;
  /** The topic's device level, when the message goes to `.../devices/{device}/readings`. */
  device: string | undefined;
  payload: Buffer;
}

function readingsMessageArb(format: "json" | "protobuf"): Arbitrary<ReadingsMessage> {
  return operatorArb.chain((operator) =>
    fc.record({
      operator: fc.constant(operator),
      device: fc.option(topicLevelArb(operator), { freq: 3, nil: undefined }),
      payload: format === "json" ? jsonPayloadArb(operator) : protobufPayloadArb(operator),
    }),
  );
}

function topicOf(m: ReadingsMessage, format: "json" | "protobuf"): string {
  const base =
    m.device === undefined
      ? `lanterne/${m.operator}/readings`
      : `lanterne/${m.operator}/devices/${m.device}/readings`;
  return format === "protobuf" ? `${base}/pb` : base;
}

function mqttSource(name: SourceName, transport: Transport, formats: Array<"json" | "protobuf">): FuzzSource {
  return {
    name,
    what: `QoS 1 publishes over MQTT/${transport.toUpperCase()}, ${formats.join(" and ")} readings`,
    async property(h) {
      const arb = fc
        .constantFrom(...formats)
        .chain((format) => readingsMessageArb(format).map((m) => ({ format, ...m })));
      return fc.asyncProperty(arb as Arbitrary<unknown>, async (input) => {
        const m = input as ReadingsMessage & { format: "json" | "protobuf" };
        const topic = topicOf(m, m.format);
        const owed = h.readingsVerdicts(m.payload, m.format, m.device);
        const before = h.counts();
        await h.publish(transport, m.operator, topic, m.payload);
        h.expectVerdicts(before, owed, `${topic}, ${m.payload.length} bytes`);
        await h.alive();
      });
    },
  };
}

const sparkplugSource: FuzzSource = {
  name: "sparkplug",
  what: "Sparkplug B sessions (NBIRTH, DBIRTH, DDATA...) at QoS 1 under spBv1.0/{operator}/",
  async property(h) {
    const arb = operatorArb.chain((operator) =>
      sparkplugSessionArb(operator).map((messages) => ({ operator, messages })),
    );
    return fc.asyncProperty(arb as Arbitrary<unknown>, async (input) => {
      const { operator, messages } = input as {
        operator: OperatorId;
        messages: Array<{ topic: string; payload: Buffer }>;
      };
      for (const m of messages) {
        const owed = h.sparkplugVerdicts(m.topic, m.payload);
        const before = h.counts();
        await h.publish("tcp", operator, m.topic, m.payload);
        h.expectVerdicts(before, owed, `${m.topic}, ${m.payload.length} bytes`);
      }
      await h.alive();
    });
  },
};

// --- HTTP ingestion --------------------------------------------------------------------------

interface IngestAnswer {
  accepted: number;
  quarantined: number;
  items: Array<{ status: string; violations: Array<{ code: string }> }>;
}

function httpSource(name: SourceName, format: "json" | "protobuf"): FuzzSource {
  const contentType = format === "json" ? "application/json" : "application/x-protobuf";
  return {
    name,
    what: `POST /api/v1/readings, ${contentType}, as each operator`,
    async property(h) {
      const arb = operatorArb.chain((operator) =>
        (format === "json" ? jsonPayloadArb(operator) : protobufPayloadArb(operator)).map((payload) => ({
          operator,
          payload,
        })),
      );
      return fc.asyncProperty(arb as Arbitrary<unknown>, async (input) => {
        const { operator, payload } = input as { operator: OperatorId; payload: Buffer };
        const owed = h.readingsVerdicts(payload, format);
        const before = h.counts();
        const headers = { ...h.authorization(operator), "content-type": contentType };
        const res = await h.request("POST", "/api/v1/readings", headers, payload);
        if (res.status === 413 && h.overHttpLimit(payload)) return;
        check(
          res.status === 200 || res.status === 422,
          () => `POST /api/v1/readings answered ${res.status}: ${res.text.slice(0, 300)}`,
        );
        const answer = JSON.parse(res.text) as IngestAnswer;
        checkIngestAnswer(answer, owed);
        const after = h.counts();
        check(
          after.written - before.written >= answer.accepted &&
            after.quarantined - before.quarantined >= answer.quarantined,
          () =>
            `answered ${answer.accepted} accepted and ${answer.quarantined} quarantined before they were all durable`,
        );
        await h.alive();
      });
    },
  };
}

/** A verdict per reading, the counts agreeing with the items, every refusal coded. */
function checkIngestAnswer(answer: IngestAnswer, owed: number): void {
  check(answer.items.length === owed, () => `${answer.items.length} verdicts for ${owed} readings`);
  check(
    answer.accepted + answer.quarantined === answer.items.length,
    () => `accepted ${answer.accepted} + quarantined ${answer.quarantined} != ${answer.items.length} items`,
  );
  for (const item of answer.items) {
    const codes = item.violations.map((v) => v.code);
    if (item.status === "quarantined")
      check(codes.length > 0, () => "a reading quarantined without a reason");
    const stray = codes.find((c) => !isCatalogued(c));
    check(stray === undefined, () => `violation code ${stray} is not in the catalogue`);
  }
}

const ttsSource: FuzzSource = {
  name: "tts",
  what: "The Things Stack webhook, POST /api/v1/integrations/tts-collecte/uplink",
  async property(h) {
    const headers = { "content-type": "application/json", "x-lanterne-secret": h.ttsSecret };
    return fc.asyncProperty(ttsBodyArb as Arbitrary<unknown>, async (input) => {
      const body = input as Buffer;
      const before = h.counts();
      const res = await h.request("POST", "/api/v1/integrations/tts-collecte/uplink", headers, body);
      if (res.status === 413 && h.overHttpLimit(body)) return;
      check(res.status === 200, () => `the webhook answered ${res.status}: ${res.text.slice(0, 300)}`);
      h.expectVerdicts(before, 1, `a The Things Stack uplink of ${body.length} bytes`);
      await h.alive();
    });
  },
};

// --- LoRaWAN: gateways and ChirpStack ---------------------------------------------------------

const udpSource: FuzzSource = {
  name: "udp",
  what: "datagrams to the Semtech UDP listener, from listed and unlisted gateways",
  async property(h) {
    return fc.asyncProperty(datagramArb as Arbitrary<unknown>, async (input) => {
      await h.datagram(input as Buffer);
      await h.udpAlive();
      await h.alive();
    });
  },
};

const chirpstackSource: FuzzSource = {
  name: "chirpstack",
  what: "ChirpStack uplink and status events (JSON and protobuf) on the broker the platform follows",
  async property(h) {
    return fc.asyncProperty(chirpstackEventArb as Arbitrary<unknown>, async (input) => {
      const e = input as { kind: "up" | "status"; topicEui: string; payload: Buffer };
      const owed = h.chirpstackVerdicts(e.kind, e.topicEui, e.payload);
      const before = h.counts();
      await h.chirpstack(e.kind, e.topicEui, e.payload);
      h.expectVerdicts(before, owed, `a ChirpStack ${e.kind} event of ${e.payload.length} bytes`);
      await h.alive();
    });
  },
};

// --- the API's GET routes --------------------------------------------------------------------

interface Route {
  path: string;
  pathParams: string[];
  query: string[];
}

/** The GET routes and their parameters, as the OpenAPI document lists them. */
async function apiRoutes(h: Harness): Promise<Route[]> {
  const res = await h.request("GET", "/api/openapi.json", {});
  const doc = JSON.parse(res.text) as {
    paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
  };
  const routes = Object.entries(doc.paths).flatMap(([path, item]) => {
    if (!item.get) return [];
    const parameters = item.get.parameters ?? [];
    return [
      {
        path,
        pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
        query: parameters.filter((p) => p.in === "query").map((p) => p.name),
      },
    ];
  });
  check(routes.length >= 10, () => `the OpenAPI document lists ${routes.length} GET routes`);
  return routes;
}

const CALLERS: readonly Caller[] = ["admin", "technician", "public", "malformed", ...OPERATORS];

/** A path segment as a client would send it: encoded, or raw (broken percent escapes included). */
const segmentArb: Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: queryValueArb.map(percentEncode) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("%", "%zz", "%2F", "..", ".", "%00", "%C0%AF", "a%20b", "lum-57038-0001"),
  },
);

/**
 * Percent-encoding of the UTF-8 bytes (RFC 3986 unreserved characters kept): unlike
 * encodeURIComponent it takes lone surrogates, as a client library would, as U+FFFD.
 */
function percentEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function routeRequestArb(routes: readonly Route[]): Arbitrary<{ caller: Caller; url: string }> {
  return fc.constantFrom(...routes).chain((route) =>
    fc
      .record({
        caller: fc.constantFrom(...CALLERS),
        segments: fc.tuple(...route.pathParams.map(() => segmentArb)),
        given: fc.array(
          fc.oneof(
            {
              weight: 8,
              arbitrary: fc
                .constantFrom(...route.query, "x")
                .chain((k) => fc.tuple(fc.constant(k), queryValueFor(k))),
            },
            {
              weight: 1,
              arbitrary: fc.tuple(
                fc.constantFrom("__proto__", "constructor", "x[]", "from[a]"),
                queryValueArb,
              ),
            },
          ),
          { maxLength: 5 },
        ),
      })
      .map(({ caller, segments, given }) => {
        let path = route.path;
        route.pathParams.forEach((name, i) => {
          path = path.replace(`{${name}}`, segments[i] ?? "");
        });
        const query = given.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join("&");
        return { caller, url: query === "" ? path : `${path}?${query}` };
      }),
  );
}

const apiSource: FuzzSource = {
  name: "api",
  what: "every GET route of /api/openapi.json, path and query parameters, as staff, operators and the public",
  async property(h) {
    const routes = await apiRoutes(h);
    return fc.asyncProperty(routeRequestArb(routes) as Arbitrary<unknown>, async (input) => {
      const { caller, url } = input as { caller: Caller; url: string };
      const res = await h.request("GET", url, h.authorization(caller));
      const shown = url.length > 300 ? `${url.slice(0, 300)}... (${url.length} characters)` : url;
      check(
        res.status < 500,
        () => `answered ${res.status} as ${caller}: ${res.text.slice(0, 300)} to GET ${shown}`,
      );
      // 431: Node's HTTP server refuses headers over 16 KiB itself, before Fastify sees the request.
      if (res.status >= 400 && res.status !== 431) {
        const body = JSON.parse(res.text) as { code?: unknown };
        // Fastify's own refusals before routing (FST_ERR_BAD_URL for a broken percent escape)
        // keep Fastify's code: coded all the same, though outside the catalogue.
        check(
          typeof body.code === "string" && /^(FST_)?ERR_/.test(body.code),
          () => `${res.status} without an error code: ${res.text.slice(0, 200)} to GET ${shown}`,
        );
      } else if (res.contentType.startsWith("application/json")) {
        JSON.parse(res.text);
      }
      await h.alive();
    });
  },
};

export const SOURCES: readonly FuzzSource[] = [
  mqttSource("mqtt", "tcp", ["json"]),
  mqttSource("mqtt-pb", "tcp", ["protobuf"]),
  mqttSource("ws", "ws", ["json", "protobuf"]),
  sparkplugSource,
  httpSource("http", "json"),
  httpSource("http-pb", "protobuf"),
  ttsSource,
  udpSource,
  chirpstackSource,
  apiSource,
];
