/**
 * The domain vocabulary shared by every stage. Nothing here is specific to a domain
 * (streetlights, water, waste): a domain is a name and a data contract.
 */

/** Milliseconds since the Unix epoch, UTC. */
export type EpochMs = number;

/** A scalar value a contract field can hold once checked. */
export type FieldValue = number | string | boolean;

export interface Owner {
  /** Stable identifier of the collectivity, e.g. "ccphva". */
  id: string;
  name: string;
  /** SIREN of the collectivity, when it has one. */
  siren?: string;
}

export interface Operator {
  id: string;
  name: string;
  /** Username the operator uses on MQTT and HTTP (defaults to its id). */
  username: string;
  /** scrypt hash of the operator secret, "scrypt$N$r$p$salt$hash"; never the secret itself. */
  secretHash: string;
}

/** A period during which a device is assigned to an operator. `to` is exclusive; undefined means open. */
export interface Assignment {
  operatorId: string;
  from: EpochMs;
  to?: EpochMs;
}

export interface Device {
  id: string;
  /** Domain name, as declared by the device's contract (e.g. "streetlight"). */
  domain: string;
  /** Contract id (not version: the version is chosen by the reading's time). */
  contractId: string;
  ownerId: string;
  /** INSEE code of the commune the asset stands in. */
  commune: string;
  lat: number;
  lon: number;
  /** Free attributes from the inventory (cabinet, depth_mm, sector...). */
  attributes: Record<string, string | number>;
  assignments: Assignment[];
}

/** A problem found in the data itself. Data problems are values, never exceptions. */
export interface Violation {
  code: string;
  /** JSON path of the offending part, e.g. "data.pressure_bar". */
  path: string;
  detail: string;
  /**
   * The value that was dropped, as given, when the violation drops one (out of range, not an
   * allowed value) and it is not personal data: what an operator needs to find the faulty
   * device or mapping. Absent otherwise.
   */
  value?: string | number;
}

/** One reading accepted into the store, after the contract check. */
export interface Observation {
  deviceId: string;
  time: EpochMs;
  /** Copied from the inventory at ingestion so that stores can group without a join. */
  domain: string;
  commune: string;
  ownerId: string;
  operatorId: string;
  /** "contractId@version" the reading was checked against. */
  contract: string;
  values: Record<string, FieldValue>;
  /**
   * When the platform received it, set by the pipeline: the delivery's latency for the
   * operator's compliance. Not a stored column: what a store reads back has none.
   */
  receivedAt?: EpochMs;
}

/** A message, or one reading of a message, refused as a whole. Nothing is dropped: it is kept here. */
export interface QuarantineEntry {
  id?: number;
  receivedAt: EpochMs;
  /** Operator that sent it (authenticated), or "" when unknown. */
  operatorId: string;
  deviceId?: string;
  /** "contractId@version" when a contract was found. */
  contract?: string;
  source: string;
  /** The raw payload as received (possibly truncated for oversize payloads, see `truncated`). */
  raw: string;
  truncated: boolean;
  reasons: Violation[];
}

/** What a source hands to the pipeline: bytes plus who sent them and how. */
export interface RawUplink {
  source: "mqtt" | "http" | (string & {});
  operatorId: string;
  /** Device id taken from the transport (topic), when the transport carries one. */
  deviceId?: string;
  receivedAt: EpochMs;
  payload: Buffer | string;
  /** How the payload is encoded (default JSON); named by the transport (topic, content type). */
  format?: "json" | "protobuf";
}
