import type { AlertStore } from "../alerts/store.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Logger } from "../domain/logger.ts";
import type { EpochMs } from "../domain/types.ts";
import { dayPeriod } from "./scorecard-period.ts";
import { type Breach, measure, type Scorecard, type ScorecardDeps } from "./scorecards.ts";

/** The platform rule of a compliance breach (a rule of the platform, not of a contract). */
export const COMPLIANCE_BREACH = "platform/compliance-breach";
export const COMPLIANCE_KIND = "compliance";

const DAY_MS = 86_400_000;
/** A day's scorecard is judged once the day is over and late readings had this long to arrive. */
export const COMPLIANCE_SETTLE_MS = 2 * 3_600_000;

/**
 * Judges each closed day's scorecards and tells the operator and the administrators of a breach
 * of a contract's targets: one alert per (operator, contract), visible to that operator and to
 * staff, raised on the first day under target, noted again each day it stays under, cleared on
 * the first day back on target. An exempted breach raises nothing (the register says why).
 * Only the days the platform watched whole are judged: a platform started today says nothing of
 * yesterday, when no operator could deliver to it.
 */
export class ComplianceWatch {
  private lastJudged: EpochMs | undefined;
  /** Days that began before the watch started are not judged: nobody watched them. */
  private since = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: ScorecardDeps & {
      alerts: Pick<AlertStore, "raise" | "clear" | "comment">;
      contracts: Pick<ContractRegistry, "versions" | "versionAt">;
    },
    private readonly log: Logger,
    private readonly everyMs = 600_000,
  ) {}

  start(): void {
    this.since = this.deps.now();
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
    void this.check();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Judges the newest settled day if not judged yet; resolves once done. */
  check(now: EpochMs = this.deps.now()): Promise<void> {
    this.running ??= this.judgeSettled(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async judgeSettled(now: EpochMs): Promise<void> {
    const day = Math.floor((now - COMPLIANCE_SETTLE_MS) / DAY_MS) * DAY_MS - DAY_MS;
    if (day < this.since || (this.lastJudged !== undefined && day <= this.lastJudged)) return;
    try {
      await this.judge(day, now);
      this.lastJudged = day;
    } catch (err) {
      this.log.error({ err, day: new Date(day).toISOString() }, "compliance not judged; tried again later");
    }
  }

  /** Raises, notes or clears each (operator, contract) of the day. */
  async judge(day: EpochMs, at: EpochMs): Promise<void> {
    // The day's breaches only: the trend against the day before is the pages' business.
    const cards = await measure(this.deps, dayPeriod(day));
    for (const card of cards) {
      if (card.contractId === null) continue;
      const subject = `compliance:${card.operatorId}/${card.contractId}`;
      const breaches = card.breaches.filter((b) => !b.exempted);
      if (breaches.length === 0) {
        await this.deps.alerts.clear(subject, COMPLIANCE_BREACH, at);
        continue;
      }
      const detail = describe(card, breaches);
      const alert = await this.deps.alerts.raise(
        {
          ruleId: COMPLIANCE_BREACH,
          subject,
          severity: "minor",
          domain: this.domainOf(card.contractId, day),
          operatorId: card.operatorId,
          detail,
          kind: COMPLIANCE_KIND,
        },
        at,
      );
      if (alert.detail !== detail && !alert.comments?.some((c) => c.text === detail)) {
        await this.deps.alerts.comment(alert.id, "lanterne", detail, at, alert.version);
      }
    }
  }

  private domainOf(contractId: string, day: EpochMs): string {
    return (
      this.deps.contracts.versionAt(contractId, day)?.domain ??
      this.deps.contracts.versions(contractId)[0]?.domain ??
      ""
    );
  }
}

const MEASURE_FR: Record<Breach["measure"], string> = {
  completeness: "complétude",
  timeliness: "ponctualité",
  conformity: "conformité",
};

/** In French, as every alert's detail: the day, each measure under target with its target. */
export function describe(card: Scorecard, breaches: readonly Breach[]): string {
  const pct = (x: number) => `${(x * 100).toLocaleString("fr-FR", { maximumFractionDigits: 1 })} %`;
  const parts = breaches.map((b) => `${MEASURE_FR[b.measure]} ${pct(b.value)} (objectif ${pct(b.target)})`);
  return `Contrat ${card.contractId} le ${card.period.label} : ${parts.join(" ; ")}`;
}
