/** The scorecards as the API answers them (`GET /api/v1/scorecards`, services/clauses/scorecards.ts). */

export type Measure = "completeness" | "timeliness" | "conformity";
export const MEASURES: readonly Measure[] = ["completeness", "timeliness", "conformity"];

export interface Period {
  kind: "day" | "month" | "year";
  label: string;
  from: number;
  to: number;
}

export interface Scorecard {
  operatorId: string;
  contractId: string | null;
  period: Period;
  devices: number;
  silentDevices: number;
  completeness: { expected: number; received: number; counted: number; ratio: number | null };
  timeliness: { readings: number; onTime: number; ratio: number | null; promisedMs: number | null };
  conformity: {
    accepted: number;
    quarantined: number;
    droppedValues: number;
    ratio: number | null;
    reasons: { kind: "quarantine" | "violation"; code: string; count: number }[];
  };
  targets: Partial<Record<Measure, number>>;
  breaches: { measure: Measure; value: number; target: number; exempted: boolean }[];
  exemptions: { id: number; obligation: string; decision: string; fields: string[] }[];
  previous: Record<Measure, number | null> | null;
}

export interface ScorecardAnswer {
  period: Period;
  scorecards: Scorecard[];
}

/** `GET /api/v1/scorecards/trend`. */
export interface Trend {
  operatorId: string;
  contractId: string;
  months: number;
  targets: Partial<Record<Measure, number>>;
  points: ({ month: string; from: number; devices: number } & Record<Measure, number | null>)[];
  alt: string;
}

/** `GET /api/v1/exemptions`. */
export interface Exemption {
  id: number;
  contractId: string;
  operatorId?: string;
  fields: string[];
  obligation: string;
  reason: string;
  decision: string;
  decidedAt: string;
  from: string;
  to?: string;
  revokedAt?: string;
}

/** `GET /api/v1/contracts` (every version; the names by id). */
export interface ContractInfo {
  id: string;
  name: string;
  version: string;
}
