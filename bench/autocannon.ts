import { createRequire } from "node:module";

/**
 * autocannon (v9) with the few types the benchmark uses: the package ships none. Its programmatic
 * API runs in this process over keep-alive connections; latencies are whole milliseconds from an
 * HDR histogram (304s and errors' answers included: `excludeErrorStats` is left off).
 */
export interface CannonRequest {
  method?: "GET" | "HEAD";
  path?: string;
  headers?: Record<string, string>;
  /** Called before each request of a connection: the request to send (a new path each time). */
  setupRequest?: (request: CannonRequest, context: Record<string, unknown>) => CannonRequest;
}

export interface CannonOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  requests?: CannonRequest[];
  headers?: Record<string, string>;
  /** Requests per second over all connections, and per connection. */
  overallRate?: number;
  connectionRate?: number;
  /** Seconds without an answer before a request counts as a timeout. */
  timeout?: number;
  /**
   * With a rate, autocannon adds samples for the requests a slow answer kept from being sent, at
   * an interval of ceil(1 / rate) ms (1 ms for any rate over 1/s), which would fill the histogram
   * with made-up samples: the latencies are the answers' own.
   */
  ignoreCoordinatedOmission?: boolean;
}

interface Percentiles {
  average: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  total: number;
}

export interface CannonResult {
  /** Seconds the run lasted. */
  duration: number;
  errors: number;
  timeouts: number;
  /** Answers not 2xx (a 304 counts here: check `statusCodeStats`). */
  non2xx: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Percentiles & { totalCount: number };
  /** Completed requests per second (samples of one second each); `total` completed, `sent` sent. */
  requests: Percentiles & { sent: number };
  throughput: Percentiles;
}

type Autocannon = (options: CannonOptions) => Promise<CannonResult>;

const load = createRequire(import.meta.url);

export function cannon(options: CannonOptions): Promise<CannonResult> {
  const autocannon = load("autocannon") as Autocannon;
  // It answers a thenable (an event emitter with then/catch): a real promise for the callers.
  return Promise.resolve(autocannon(options));
}
