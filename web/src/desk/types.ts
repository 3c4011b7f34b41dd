/** An alert as `/api/v1/alerts` gives it (services/access/alert-reads.ts AlertView). */
export interface AlertView {
  id: number;
  subject: string;
  rule: string;
  severity: "info" | "minor" | "major" | "critical";
  domain: string;
  commune: string | null;
  operator: string | null;
  detail: string;
  status: "open" | "acknowledged" | "closed";
  cleared: boolean;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  clearedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  assignee: string | null;
  comments: Array<{ author: string; at: string; text: string }>;
  version: number;
  children: string[];
  kind: string | null;
}

export interface AlertPage {
  entries: AlertView[];
  next: number | null;
}

/** The live stream's `alert` event (services/alerts/sinks/payload.ts alertEvent). */
export interface AlertEvent {
  id: number;
  event: string;
  at: string;
  by: string;
  /** The alert just after the change, its comments left out: the change's own is `comment`. */
  alert: AlertView;
  comment: { author: string; at: string; text: string } | null;
}

/** What a person does on an alert from the desk; each maps to one POST of the API. */
export type Act =
  | { kind: "acknowledge" }
  | { kind: "close" }
  | { kind: "assign"; assignee: string }
  | { kind: "comment"; text: string };
