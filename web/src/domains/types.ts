/** The answers of the domain pages' API (`/api/v1/lighting/energy`, `water/sectors`, `waste/to-collect`, `overview`). */

export interface EnergyFigures {
  kwh: number;
  kwhPerDay: number;
  lampsMeasured: number;
}

export interface EnergySavings {
  lamps: number;
  period: EnergyFigures;
  reference: EnergyFigures;
  referenceScaledKwh: number;
  savedKwh: number;
  savedPercent: number | null;
  savedEur: number;
}

export interface EnergyGroup extends EnergySavings {
  key: string;
  commune: string | null;
  cabinet: string | null;
}

export interface EnergyAnswer {
  from: string;
  to: string;
  days: number;
  referenceFrom: string;
  referenceTo: string;
  referenceDays: number;
  groupBy: string;
  tariffEurPerKwh: number;
  groups: EnergyGroup[];
  total: EnergySavings;
}

export interface Gauge {
  readings: number;
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface FlowMeter {
  device: string;
  commune: string;
  nights: { night: string; minFlowM3h: number }[];
  trendM3hPerDay: number | null;
}

export interface WaterSector {
  sector: string;
  communes: string[];
  pressure: Gauge & { sensors: number; sensorsReporting: number; days: (Gauge & { date: string })[] };
  flow: { meters: FlowMeter[] };
}

export interface WaterAnswer {
  from: string;
  to: string;
  days: number;
  night: { timeZone: string; startHour: number; endHour: number };
  sectors: WaterSector[];
}

export interface Container {
  device: string;
  commune: string;
  stream: string | null;
  lat: number;
  lon: number;
  fillingLevel: number | null;
  measuredAt: string | null;
  emptiedAt: string | null;
  fillRatePerDay: number | null;
  predictedFullAt: string | null;
  toCollect: boolean;
}

export interface ToCollectAnswer {
  at: string;
  threshold: number;
  horizonDays: number;
  count: number;
  containers: Container[];
}

export type Condition = "ok" | "fault" | "silent" | "unknown";

export interface OverviewAnswer {
  at: string;
  domains: { domain: string; devices: number; conditions: Record<Condition, number> }[];
  openAlerts: { domain: string; severity: string; count: number }[];
  worstCommunes: { commune: string; devices: number; openAlerts: number; openAlertsPer100Devices: number }[];
  silent: {
    count: number;
    devices: {
      device: string;
      domain: string;
      commune: string;
      operator: string | null;
      lastReadingAt: string | null;
    }[];
  };
  operators: {
    operator: string;
    devices: number;
    heard: number;
    lastMessageAt: string | null;
    quarantined24h: number;
  }[];
}

/** What an operator may read of its own devices (`GET /api/v1/devices`). */
export interface DeviceList {
  count: number;
  devices: {
    id: string;
    domain: string;
    commune: string;
    operator: string | null;
    state: { time: string } | null;
  }[];
}

/** An operator's refused messages (`GET /api/v1/quarantine`). */
export interface QuarantinePage {
  total: number;
  entries: {
    id: number;
    receivedAt: string;
    device: string | null;
    reasons: { code: string; path: string; detail: string }[];
  }[];
}
