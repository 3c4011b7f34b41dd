import { checkReading, type DeviceDirectory } from "../../services/contracts/check.ts";
import type { ContractRegistry } from "../../services/contracts/registry.ts";
import { DataCode, REJECTING } from "../../services/domain/errors.ts";
import type { Observation, QuarantineEntry, RawUplink, Violation } from "../../services/domain/types.ts";
import type { ViolationRecord } from "../../services/storage/store.ts";
import {
  DEFAULT_LIMITS,
  type DecodedItem,
  type DecodeLimits,
  decodeJsonPayload,
  timeProblem,
} from "./decode.ts";
import { decodeProtobufPayload } from "./decode-protobuf.ts";
import type { IngestWriter } from "./writer.ts";

/**
 * The ingest pipeline: decode -> contract check -> store. Sources (MQTT, HTTP) call `ingest`
 * with what they received and who sent it. Decoding and checking are synchronous and return a
 * per-item verdict at once; `durable` resolves when accepted readings, quarantine entries and
 * violations are all written. Bad data is a value here, never an exception.
 */
export interface ItemResult {
  index: number;
  deviceId?: string;
  status: "accepted" | "quarantined";
  /** Reasons for a quarantine, or violations of an accepted reading (dropped or unknown fields). */
  violations: Violation[];
}

export interface IngestOutcome {
  accepted: number;
  quarantined: number;
  items: ItemResult[];
  /** True when the message as a whole could not be read (JSON, shape, size). */
  refusedWhole: boolean;
  durable: Promise<void>;
}

export interface PipelineDeps {
  devices: DeviceDirectory;
  contracts: ContractRegistry;
  writer: IngestWriter;
  limits?: DecodeLimits;
  /** Sees every verdict (metrics). */
  observe?: (source: string, items: readonly ItemResult[]) => void;
}

/** Raw text kept for a payload refused for its size: enough to recognise it, not enough to hurt. */
const OVERSIZE_KEEP = 4096;

export interface Pipeline {
  /** What every payload must stay within, whichever source decodes it. */
  readonly limits: DecodeLimits;
  ingest(uplink: RawUplink): IngestOutcome;
  /**
   * Items a source decoded itself (a LoRaWAN frame through its device codec, a protobuf
   * envelope): the same contract check, quarantine and durability as `ingest`. `uplink.payload`
   * is what is kept in quarantine for a message refused as a whole.
   */
  ingestItems(uplink: RawUplink, items: DecodedItem[]): IngestOutcome;
  /** Keeps a message refused by a source before decoding (forbidden topic...), with its reason. */
  refuse(uplink: RawUplink, reason: Violation): Promise<void>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const limits = deps.limits ?? DEFAULT_LIMITS;
  return {
    limits,
    ingest(uplink) {
      const context = {
        receivedAt: uplink.receivedAt,
        ...(uplink.deviceId !== undefined ? { deviceId: uplink.deviceId } : {}),
      };
      const decoded =
        uplink.format === "protobuf"
          ? decodeProtobufPayload(asBuffer(uplink.payload), context, limits)
          : decodeJsonPayload(uplink.payload, context, limits);
      const outcome = decoded.ok
        ? checkItems(deps, uplink, decoded.items)
        : refuseWhole(deps, uplink, decoded.problem);
      deps.observe?.(uplink.source, outcome.items);
      return outcome;
    },
    ingestItems(uplink, items) {
      const outcome = checkItems(deps, uplink, timeChecked(items, uplink.receivedAt, limits));
      deps.observe?.(uplink.source, outcome.items);
      return outcome;
    },
    refuse(uplink, reason) {
      deps.observe?.(uplink.source, [{ index: 0, status: "quarantined", violations: [reason] }]);
      return deps.writer.submit([], [wholeEntry(uplink, [reason])], []);
    },
  };
}

/**
 * Sources that decode themselves (codecs, network servers, Sparkplug) face the time check the
 * JSON and protobuf decoders make as they read: an item with a time out of range loses its
 * reading and carries the reason, as a decoder's own item would.
 */
function timeChecked(items: DecodedItem[], receivedAt: number, limits: DecodeLimits): DecodedItem[] {
  return items.map((item) => {
    const wrong = item.reading && timeProblem(item.reading.time, receivedAt, limits.maxFutureMs);
    if (!wrong) return item;
    const { reading: _refused, ...rest } = item;
    return { ...rest, problems: [...item.problems, wrong] };
  });
}

function refuseWhole(deps: PipelineDeps, uplink: RawUplink, problem: Violation): IngestOutcome {
  const durable = deps.writer.submit([], [wholeEntry(uplink, [problem])], []);
  const items: ItemResult[] = [{ index: 0, status: "quarantined", violations: [problem] }];
  return { accepted: 0, quarantined: 1, items, refusedWhole: true, durable };
}

function asBuffer(payload: Buffer | string): Buffer {
  return typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
}

/** A binary payload is kept as base64 (its bytes, not a mangled UTF-8 reading of them). */
function wholeEntry(uplink: RawUplink, reasons: Violation[]): QuarantineEntry {
  const text =
    typeof uplink.payload === "string"
      ? uplink.payload
      : uplink.payload.toString(uplink.format === "protobuf" ? "base64" : "utf8");
  const tooLarge = reasons.some((r) => r.code === DataCode.PAYLOAD_TOO_LARGE);
  return {
    receivedAt: uplink.receivedAt,
    operatorId: uplink.operatorId,
    ...(uplink.deviceId !== undefined ? { deviceId: uplink.deviceId } : {}),
    source: uplink.source,
    raw: tooLarge ? text.slice(0, OVERSIZE_KEEP) : text,
    truncated: tooLarge,
    reasons,
  };
}

function checkItems(deps: PipelineDeps, uplink: RawUplink, items: DecodedItem[]): IngestOutcome {
  const observations: Observation[] = [];
  const quarantine: QuarantineEntry[] = [];
  const violations: ViolationRecord[] = [];
  const results: ItemResult[] = [];
  for (const item of items) {
    const result = checkItem(deps, uplink, item, { observations, quarantine, violations });
    results.push(result);
  }
  const durable = deps.writer.submit(observations, quarantine, violations);
  return {
    accepted: observations.length,
    quarantined: quarantine.length,
    items: results,
    refusedWhole: false,
    durable,
  };
}

interface Sink {
  observations: Observation[];
  quarantine: QuarantineEntry[];
  violations: ViolationRecord[];
}

function checkItem(deps: PipelineDeps, uplink: RawUplink, item: DecodedItem, sink: Sink): ItemResult {
  const deviceId = item.reading?.deviceId ?? uplink.deviceId;
  if (!item.reading) {
    sink.quarantine.push(itemEntry(uplink, item, item.problems));
    return result(item.index, deviceId, "quarantined", item.problems);
  }
  const outcome = checkReading(item.reading, uplink.operatorId, deps.devices, deps.contracts);
  // A decoder may explain what it could not give (a codec field it could not map): those
  // problems go with the verdict, whichever it is, rather than being dropped.
  const noted = item.problems;
  if (!outcome.accepted || noted.some((p) => REJECTING.has(p.code))) {
    const reasons = outcome.accepted ? noted : [...noted, ...outcome.reasons];
    sink.quarantine.push(itemEntry(uplink, item, reasons, outcome.contract?.key));
    return result(item.index, deviceId, "quarantined", reasons);
  }
  if (noted.length > 0) outcome.violations.unshift(...noted);
  outcome.observation.receivedAt = uplink.receivedAt;
  sink.observations.push(outcome.observation);
  for (const v of outcome.violations) {
    sink.violations.push({
      receivedAt: uplink.receivedAt,
      time: outcome.observation.time,
      operatorId: uplink.operatorId,
      deviceId: outcome.observation.deviceId,
      contract: outcome.contract.key,
      ...v,
    });
  }
  return result(item.index, deviceId, "accepted", outcome.violations);
}

function result(
  index: number,
  deviceId: string | undefined,
  status: ItemResult["status"],
  violations: Violation[],
): ItemResult {
  return deviceId === undefined ? { index, status, violations } : { index, deviceId, status, violations };
}

function itemEntry(
  uplink: RawUplink,
  item: DecodedItem,
  reasons: Violation[],
  contract?: string,
): QuarantineEntry {
  const deviceId = item.reading?.deviceId ?? uplink.deviceId;
  return {
    receivedAt: uplink.receivedAt,
    operatorId: uplink.operatorId,
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(contract !== undefined ? { contract } : {}),
    source: uplink.source,
    raw: rawText(item.raw),
    truncated: false,
    reasons,
  };
}

/**
 * The item as JSON for the quarantine. Decoders bound the nesting of what they hand over, but an
 * item may still hold a value JSON cannot write (a 64-bit Sparkplug integer is a bigint): written
 * as a decimal string rather than throwing.
 */
function rawText(raw: unknown): string {
  try {
    return (
      JSON.stringify(raw, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)) ??
      ""
    );
  } catch (err) {
    return `(not representable as JSON: ${(err as Error).message})`;
  }
}
