import { EventSource } from "eventsource";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";

/**
 * A technician's live stream (`GET /api/v1/events`), as a dashboard holds it: every `alert` event,
 * stamped with the time this process received it.
 */
export interface ReceivedAlert {
  receivedAt: number;
  /** History event: raised, cleared, reopened... */
  event: string;
  /** The reading's time that caused the change (epoch ms). */
  at: number;
  subject: string;
  /** "contractId/ruleId". */
  rule: string;
}

interface AlertEventData {
  event: string;
  at: string;
  alert: { subject: string; rule: string };
}

export const TECHNICIAN = `Bearer technicien.${DEMO_SECRETS.technicien}`;

export class AlertStream {
  readonly received: ReceivedAlert[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly source: EventSource) {
    source.addEventListener("alert", (e) => {
      const receivedAt = Date.now();
      const data = JSON.parse(e.data) as AlertEventData;
      this.received.push({
        receivedAt,
        event: data.event,
        at: Date.parse(data.at),
        subject: data.alert.subject,
        rule: data.alert.rule,
      });
      for (const wake of this.waiters) wake();
    });
  }

  /** Opens the stream and resolves once the server has sent its `ready` event (bounded). */
  static async open(apiUrl: string, auth = TECHNICIAN, timeoutMs = 10_000): Promise<AlertStream> {
    const source = new EventSource(`${apiUrl}/api/v1/events`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: auth } }),
    });
    const stream = new AlertStream(source);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the event stream did not open")), timeoutMs);
      source.addEventListener("ready", () => {
        clearTimeout(timer);
        resolve();
      });
      source.addEventListener("error", (e) => {
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(timer);
          reject(new Error(`the event stream failed: ${(e as { message?: string }).message ?? "closed"}`));
        }
      });
    });
    return stream;
  }

  /** Resolves true once `done()` holds, false at the deadline; checked at each event and every second. */
  async until(done: () => boolean, deadline: number): Promise<boolean> {
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(1000, left));
        this.waiters.add(wake);
      });
    }
    return true;
  }

  close(): void {
    this.source.close();
  }
}
