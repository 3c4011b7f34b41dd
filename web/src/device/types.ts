/** What the device pages read from `/api/v1` (services/api/schemas.ts and the routes' schemas). */

export type FieldValue = number | string | boolean;

export interface DeviceView {
  id: string;
  domain: string;
  commune: string;
  operator: string | null;
  lat: number;
  lon: number;
  attributes: Record<string, string | number>;
  state: {
    time: string;
    operator: string;
    contract: string;
    values: Record<string, { value: FieldValue; time: string }>;
  } | null;
  /** Operators only: the periods it held the device (`to: null` while it lasts). */
  periods?: Array<{ from: string; to: string | null }>;
  /** Staff only, on one device: who held it and when, oldest first (`to: null` while it lasts). */
  assignments?: Array<{ operator: string; from: string; to: string | null }>;
}

export interface DeviceList {
  count: number;
  devices: DeviceView[];
}

/** One point of `/api/v1/devices/:id/series`: a raw reading's field, or a bucket of them. */
export interface SeriesPoint {
  time: string;
  from?: string;
  to?: string;
  field: string;
  count: number;
  mean?: number;
  min?: number;
  max?: number;
  last: FieldValue;
}

export interface SeriesAnswer {
  device: string;
  from: string;
  to: string;
  resolution: string;
  points: SeriesPoint[];
}

export interface ContractField {
  name: string;
  type: string;
  required: boolean;
  unit?: string;
  minimum?: number;
  maximum?: number;
  allowed?: string[];
  personal: boolean;
}

export interface Contract {
  id: string;
  version: string;
  name: string;
  domain: string;
  validFrom: string;
  fields: ContractField[];
}

/** An entry of the algorithm register (`/api/v1/algorithms`); a band rule's params name its field. */
export interface RuleEntry {
  rule: string;
  contract: string;
  kind: string;
  severity: string;
  description?: string;
  params: Record<string, unknown>;
}

export interface Reason {
  code: string;
  path: string;
  detail: string;
}

export interface QuarantineEntry {
  id: number;
  receivedAt: string;
  operator: string;
  device: string | null;
  contract: string | null;
  source: string;
  raw: string;
  truncated: boolean;
  reasons: Reason[];
}

export interface QuarantinePage {
  total: number;
  entries: QuarantineEntry[];
  next: number | null;
}

export interface ViolationEntry {
  id: number;
  receivedAt: string;
  time: string;
  operator: string;
  device: string;
  contract: string;
  field: string;
  value?: number | string;
  code: string;
  reason: string;
}

export interface ViolationPage {
  entries: ViolationEntry[];
  next: number | null;
}
