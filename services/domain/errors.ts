import createError from "@fastify/error";
import type { Violation } from "./types.ts";

/**
 * The one error catalogue. Data problems become `Violation` values carrying one of the
 * `DataCode`s; infrastructure and access problems are thrown errors built below, with an
 * HTTP status and a `retryable` flag. Tests assert codes, never message text.
 */
export const DataCode = {
  /** The payload is not valid JSON (or not UTF-8). */
  PAYLOAD_JSON: "ERR_PAYLOAD_JSON",
  /** The payload exceeds the configured size limit; the kept raw text is truncated. */
  PAYLOAD_TOO_LARGE: "ERR_PAYLOAD_TOO_LARGE",
  /** The JSON does not have the reading shape ({device, time, data}) or a batch of them. */
  PAYLOAD_SHAPE: "ERR_PAYLOAD_SHAPE",
  /** A batch holds more readings than allowed. */
  BATCH_TOO_LARGE: "ERR_BATCH_TOO_LARGE",
  /** The JSON document is nested deeper than allowed: refused before it is read. */
  PAYLOAD_DEPTH: "ERR_PAYLOAD_DEPTH",
  /** The document has an object with too many keys, an array too long or a string too long. */
  PAYLOAD_LIMIT: "ERR_PAYLOAD_LIMIT",
  /** The reading's time is unparsable, before 1970, or too far in the future. */
  TIME_INVALID: "ERR_TIME_INVALID",
  /** The device is not in the inventory. */
  DEVICE_UNKNOWN: "ERR_DEVICE_UNKNOWN",
  /** The device exists but is not assigned to the sending operator at the reading's time. */
  DEVICE_NOT_ASSIGNED: "ERR_DEVICE_NOT_ASSIGNED",
  /** The topic names a device other than the one in the payload. */
  DEVICE_MISMATCH: "ERR_DEVICE_MISMATCH",
  /** No version of the device's contract applies at the reading's time. */
  CONTRACT_NO_VERSION: "ERR_CONTRACT_NO_VERSION",
  /** A field the contract requires is missing. */
  REQUIRED_MISSING: "ERR_CONTRACT_REQUIRED_MISSING",
  /** A field has the wrong type (string for a number...). */
  WRONG_TYPE: "ERR_CONTRACT_WRONG_TYPE",
  /** A value is outside the contract's plausible range: the field is dropped, the rest kept. */
  OUT_OF_RANGE: "ERR_CONTRACT_OUT_OF_RANGE",
  /** A value is not one of the contract's allowed values: the field is dropped, the rest kept. */
  NOT_ALLOWED: "ERR_CONTRACT_NOT_ALLOWED",
  /** A field the contract does not declare: not stored (sobriety), reported. */
  UNKNOWN_FIELD: "ERR_CONTRACT_UNKNOWN_FIELD",
  /** An operator published outside its own topic prefix; the payload is kept, the client disconnected. */
  TOPIC_FORBIDDEN: "ERR_TOPIC_FORBIDDEN",
  /** A personal-data field whose collection has no stated purpose in the contract: not stored. */
  PERSONAL_NO_PURPOSE: "ERR_CONTRACT_PERSONAL_NO_PURPOSE",
  /** Binary data shorter than its format says (a truncated frame, datagram or codec input). */
  DECODE_LENGTH: "ERR_DECODE_LENGTH",
  /** Text that should be base64 is not. */
  PAYLOAD_BASE64: "ERR_PAYLOAD_BASE64",
  /** A protobuf message that does not parse, or lacks what the envelope requires. */
  PAYLOAD_PROTOBUF: "ERR_PAYLOAD_PROTOBUF",
  /** No device codec is configured for the device (or its fPort). */
  CODEC_UNKNOWN: "ERR_CODEC_UNKNOWN",
  /** The device codec threw, or returned errors for this payload. */
  CODEC_ERROR: "ERR_CODEC_ERROR",
  /** The device codec ran past its time limit (a loop): stopped, the payload kept. */
  CODEC_TIMEOUT: "ERR_CODEC_TIMEOUT",
  /** The device codec went over its memory limit. */
  CODEC_MEMORY: "ERR_CODEC_MEMORY",
  /** The device codec returned something that is not `{data: {...}}` of plain values. */
  CODEC_OUTPUT: "ERR_CODEC_OUTPUT",
  /** A packet from a gateway that is not in the inventory (Semtech UDP has no authentication). */
  GATEWAY_UNKNOWN: "ERR_GATEWAY_UNKNOWN",
  /** A datagram that is not the Semtech UDP protocol version 2, or of an unknown type. */
  UDP_PROTOCOL: "ERR_UDP_PROTOCOL",
  /** A LoRaWAN frame whose message integrity code does not match the device's session key. */
  LORAWAN_MIC: "ERR_LORAWAN_MIC",
  /** A LoRaWAN frame counter already seen (or older): a replay, refused. */
  LORAWAN_REPLAY: "ERR_LORAWAN_REPLAY",
  /** A Sparkplug B metric skipped (unsupported type, value field): the message's other metrics are kept. */
  METRIC_SKIPPED: "ERR_SPARKPLUG_METRIC_SKIPPED",
  /** A LoRaWAN frame this network does not handle (join request, downlink, unknown DevAddr). */
  LORAWAN_FRAME: "ERR_LORAWAN_FRAME",
} as const;
export type DataCode = (typeof DataCode)[keyof typeof DataCode];

/** Codes that refuse the whole reading (quarantine) rather than one field. */
export const REJECTING: ReadonlySet<string> = new Set<string>([
  DataCode.PAYLOAD_JSON,
  DataCode.PAYLOAD_TOO_LARGE,
  DataCode.PAYLOAD_SHAPE,
  DataCode.BATCH_TOO_LARGE,
  DataCode.PAYLOAD_DEPTH,
  DataCode.PAYLOAD_LIMIT,
  DataCode.TIME_INVALID,
  DataCode.DEVICE_UNKNOWN,
  DataCode.DEVICE_NOT_ASSIGNED,
  DataCode.DEVICE_MISMATCH,
  DataCode.CONTRACT_NO_VERSION,
  DataCode.REQUIRED_MISSING,
  DataCode.WRONG_TYPE,
  DataCode.TOPIC_FORBIDDEN,
  DataCode.DECODE_LENGTH,
  DataCode.PAYLOAD_BASE64,
  DataCode.PAYLOAD_PROTOBUF,
  DataCode.CODEC_UNKNOWN,
  DataCode.CODEC_ERROR,
  DataCode.CODEC_TIMEOUT,
  DataCode.CODEC_MEMORY,
  DataCode.CODEC_OUTPUT,
  DataCode.GATEWAY_UNKNOWN,
  DataCode.UDP_PROTOCOL,
  DataCode.LORAWAN_MIC,
  DataCode.LORAWAN_REPLAY,
  DataCode.LORAWAN_FRAME,
]);

export function violation(code: DataCode, path: string, detail: string, value?: string | number): Violation {
  return value === undefined ? { code, path, detail } : { code, path, detail, value };
}

/** Thrown errors: access, configuration and infrastructure. */
export const AuthRequiredError = createError("ERR_AUTH_REQUIRED", "Authentication required", 401);
export const AuthInvalidError = createError("ERR_AUTH_INVALID", "Invalid credentials", 401);
/** Too many failed logins for this username or address: refused before any check until `Retry-After`. */
export const AuthThrottledError = createError(
  "ERR_AUTH_THROTTLED",
  "Too many failed logins: retry in %s s",
  429,
);
/** The store is not taking writes (see the store watch): the client sends again later. */
export const StoreNotWritingError = createError(
  "ERR_STORE_UNAVAILABLE",
  "The store is not taking writes; send again later",
  503,
);
/** Too many live event streams are open (GET /api/v1/events): the client retries later. */
export const TooManyStreamsError = createError(
  "ERR_TOO_MANY_STREAMS",
  "%s event streams are open; retry later",
  503,
);
/** A Last-Event-ID that this stream never sent. */
export const EventIdInvalidError = createError(
  "ERR_EVENT_ID_INVALID",
  "Last-Event-ID must be an event id of this stream (digits), got %s",
  400,
);
export const ForbiddenError = createError("ERR_FORBIDDEN", "Not allowed: %s", 403);
export const NotFoundError = createError("ERR_NOT_FOUND", "Not found: %s", 404);
export const BadRequestError = createError("ERR_BAD_REQUEST", "Bad request: %s", 400);
/** A resident's reports from one address past the limit (services/reports). */
export const ReportThrottledError = createError("ERR_REPORT_THROTTLED", "%s", 429);
export const CommunityThrottledError = createError("ERR_COMMUNITY_THROTTLED", "%s", 429);
/** A counter's consumption or a state's time asked of raw readings: only the rollups hold them. */
export const RollupsOnlyError = createError("ERR_ROLLUPS_ONLY", "%s", 400);
/**
 * A query parameter the route does not take: refused rather than ignored, since a filter silently
 * dropped (`?status=`, a misspelt `?comune=`) answers everything as if it had filtered.
 */
export const UnknownParameterError = createError(
  "ERR_UNKNOWN_PARAMETER",
  "Unknown query parameter %s; this route takes: %s",
  400,
);
/** The Accept header names no media type the route produces (RFC 9110 §15.5.7). */
export const NotAcceptableError = createError(
  "ERR_NOT_ACCEPTABLE",
  "Cannot answer in %s; this route produces: %s",
  406,
);
export const TopicForbiddenError = createError("ERR_TOPIC_FORBIDDEN", "Topic not allowed: %s", 403);
export const ConfigInvalidError = createError("ERR_CONFIG_INVALID", "Invalid configuration:\n%s", 500);
export const ContractFileInvalidError = createError(
  "ERR_CONTRACT_FILE_INVALID",
  "Invalid data contract %s:\n%s",
  500,
);
export const InventoryInvalidError = createError("ERR_INVENTORY_INVALID", "Invalid inventory %s:\n%s", 500);
/** territory.yaml (owner, operators, users, integrations, gateways) is unreadable or breaks its schema. */
export const TerritoryInvalidError = createError(
  "ERR_TERRITORY_INVALID",
  "Invalid territory file %s:\n%s",
  500,
);

/** A store or broker failure. `retryable` tells a caller whether trying again may succeed. */
export class InfrastructureError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = retryable;
  }
}
export const StoreUnavailableError = (message: string, cause?: unknown) =>
  new InfrastructureError("ERR_STORE_UNAVAILABLE", message, true, { cause });
/** The store can no longer write in this process (a database invalidated by a fatal error). */
export const StoreFailedError = (message: string, cause?: unknown) =>
  new InfrastructureError("ERR_STORE_FAILED", message, false, { cause });
/** The store's file cannot be read: the message names the file and what to do. */
export const StoreDamagedError = (message: string, cause?: unknown) =>
  new InfrastructureError("ERR_STORE_DAMAGED", message, false, { cause });

/**
 * The clause store (services/clauses/clause-store.ts). A ledger row that breaks the ledger's
 * invariants (a day not at UTC midnight, a negative count, a histogram that does not add up to
 * its readings) is refused whole: counts that are added, never replaced, cannot be fixed later.
 */
export const LedgerInvalidError = createError("ERR_LEDGER_INVALID", "Invalid ledger row: %s", 400);
/** An exemption without its public reasoned decision, reason or valid period, or revoked twice. */
export const ExemptionInvalidError = createError("ERR_EXEMPTION_INVALID", "Invalid exemption: %s", 400);
export const ExemptionNotFoundError = createError("ERR_EXEMPTION_NOT_FOUND", "No exemption %s", 404);
/** A breach record or update missing what GDPR art. 33(5) asks the controller to document. */
export const BreachInvalidError = createError("ERR_BREACH_INVALID", "Invalid breach record: %s", 400);
export const BreachNotFoundError = createError("ERR_BREACH_NOT_FOUND", "No breach %s", 404);

/**
 * AlertStore.restore (services/alerts/store.ts) refused a page: an id the store already has, ids
 * not increasing, or a second alert not closed for one (subject, rule). Nothing of the page is written.
 */
export const AlertRestoreError = createError("ERR_ALERT_RESTORE", "Cannot restore alerts: %s", 409);

/**
 * A reversibility bundle (services/clauses/bundle) that cannot be loaded as it is: a checksum
 * that does not match, a file missing or not listed, a table whose header or cells are not its
 * schema's, a reading of a device the bundle does not list. Named with the file; nothing written.
 */
export const BundleInvalidError = createError("ERR_BUNDLE_INVALID", "Bundle file %s: %s", 422);
/** An import goes into an empty Lanterne only: it never merges into data already there. */
export const ImportTargetNotEmptyError = createError("ERR_IMPORT_TARGET_NOT_EMPTY", "Cannot import: %s", 409);

/**
 * The quarantine replay (services/clauses/replay.ts). A request names at most 1000 entries, by id
 * or by a filter matching no more than that: ERR_REPLAY_TOO_MANY otherwise, nothing replayed.
 */
export const ReplayTooManyError = createError("ERR_REPLAY_TOO_MANY", "Cannot replay: %s", 400);
/**
 * An id that is not a quarantine entry the caller may see (an operator sees only its own): the
 * whole request is refused before anything is replayed, as one answer for "absent" and "not yours".
 */
export const QuarantineEntryNotFoundError = createError(
  "ERR_QUARANTINE_NOT_FOUND",
  "No quarantine entry %s",
  404,
);
/** Why one entry of a replay request was not replayed: a reason of that entry, not an error. */
export const ReplayCode = {
  /** The entry keeps only the start of an oversize payload: the message itself is not there to replay. */
  TRUNCATED: "ERR_REPLAY_TRUNCATED",
  /** The entry was replayed before (it has a trace): an entry is replayed once, never twice. */
  ALREADY_REPLAYED: "ERR_REPLAY_ALREADY_REPLAYED",
  /**
   * The entry came through a source with its own decoding (a network server, Sparkplug, a LoRaWAN
   * codec): only the canonical formats (JSON, the protobuf envelope, over MQTT or HTTP) re-enter
   * the pipeline as they were received.
   */
  SOURCE: "ERR_REPLAY_SOURCE",
} as const;
export type ReplayCode = (typeof ReplayCode)[keyof typeof ReplayCode];
/** A replay trace for an entry that already has one (services/clauses/replay-log.ts): nothing recorded. */
export const ReplayRecordedError = createError(
  "ERR_REPLAY_ALREADY_REPLAYED",
  "Quarantine entry %s was already replayed",
  409,
);
/** One export runs at a time: a second waits for the first (the bundle is read from the live stores). */
export const TooManyExportsError = createError("ERR_EXPORT_BUSY", "%s", 429);

/**
 * Partner and research access (services/clauses/partners.ts). A partner's key whose agreement is
 * not yet in force, was ended or is past its end date authenticates as nothing: 401, checked at
 * each request. A request outside the agreement's scope (another contract, a field not granted,
 * readings outside its data period, a finer granularity than granted) is refused whole.
 */
export const AgreementEndedError = createError(
  "ERR_AGREEMENT_ENDED",
  "The partner agreement is not in force",
  401,
);
export const OutsideAgreementError = createError("ERR_OUTSIDE_AGREEMENT", "Outside the agreement: %s", 403);
/** An agreement missing what it must state, or granting what it may not (a personal field). */
export const AgreementInvalidError = createError("ERR_AGREEMENT_INVALID", "Invalid agreement: %s", 400);
export const AgreementNotFoundError = createError("ERR_AGREEMENT_NOT_FOUND", "No agreement %s", 404);
