import type { AlertStore } from "../alerts/store.ts";
import type { Alert, AlertChange } from "../alerts/types.ts";
import type { ReportCategory } from "../contracts/model.ts";
import { type ContractRegistry, newestVersions } from "../contracts/registry.ts";
import { AddressLimit, type AddressLimits } from "../domain/address-limit.ts";
import { BadRequestError, NotFoundError, ReportThrottledError } from "../domain/errors.ts";
import { type Logger, silentLogger } from "../domain/logger.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import { currentOperator, type DeviceIndex } from "../inventory/device-index.ts";

/**
 * Residents report a fault on an asset (a dark lamp, a full container) where its contract takes
 * reports. A report is a case in the alert desk, never a second one: on an asset whose alert is
 * already open it is a comment on that alert; otherwise it opens a `platform/citizen-report`
 * alert; and when the sensors raise an alert later on an asset a resident reported, the report's
 * alert is closed into it. Nothing personal is kept: no name, no contact, no free text, and the
 * address a report comes from is only ever held in memory as a keyed hash, for the limits.
 */
export const CITIZEN_REPORT = "platform/citizen-report";
export const CITIZEN_KIND = "citizen-report";
/** Who writes in the history for residents, and for the merge. */
export const RESIDENT = "habitant";
const PLATFORM = "lanterne";

export interface ReportLimits extends AddressLimits {
  /** A category's comment on one alert at most this often; more reports of it are counted only. */
  commentEveryMs: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  perAddressPerHour: 5,
  maxAddresses: 100_000,
  commentEveryMs: 3_600_000,
};

export interface ReportDeps {
  alerts: Pick<AlertStore, "raise" | "list" | "comment" | "closeAlert" | "onChange">;
  devices: Pick<DeviceIndex, "get">;
  contracts: Pick<ContractRegistry, "versionAt" | "all">;
  now: () => EpochMs;
  log?: Logger;
}

export interface ReportReceipt {
  /** The alert that carries the case (its number for the collectivity). */
  reference: number;
  asset: string;
  status: "open" | "acknowledged";
  since: EpochMs;
  /** True when the report joined an alert already open on the asset. */
  merged: boolean;
}

export interface ReportableDomain {
  contract: string;
  domain: string;
  categories: readonly ReportCategory[];
}

const ASSET = /^[A-Za-z0-9._:-]{1,64}$/;

export class CitizenReports {
  private readonly addresses: AddressLimit;
  private readonly lastComment = new Map<string, EpochMs>();
  private unsubscribe: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    private readonly deps: ReportDeps,
    private readonly limits: ReportLimits = DEFAULT_REPORT_LIMITS,
  ) {
    this.log = deps.log ?? silentLogger;
    this.addresses = new AddressLimit(limits);
  }

  /** Follows the alert store, to fold a resident's case into a sensor alert raised later. */
  start(): void {
    this.unsubscribe = this.deps.alerts.onChange((change) => {
      this.absorb(change).catch((err: unknown) => this.log.warn({ err }, "citizen report: merge failed"));
    });
  }

  close(): void {
    this.unsubscribe?.();
  }

  /** The domains that take reports, with their categories (the public form's choices). */
  domains(): ReportableDomain[] {
    return [...newestVersions(this.deps.contracts).values()]
      .filter((c) => c.openData.reports !== undefined)
      .map((c) => ({ contract: c.id, domain: c.domain, categories: c.openData.reports?.categories ?? [] }));
  }

  /** A report from an address (never stored: only a keyed hash of it, in memory). */
  async report(input: { asset: string; category: string }, address: string): Promise<ReportReceipt> {
    const now = this.deps.now();
    const { device, category } = this.check(input, now);
    this.throttle(address, now);
    const active = await this.activeOn(device.id);
    const open = active[0];
    if (open) {
      await this.note(open, category, now);
      return receipt(open, device.id, open.ruleId !== CITIZEN_REPORT);
    }
    const alert = await this.deps.alerts.raise(
      {
        ruleId: CITIZEN_REPORT,
        subject: device.id,
        severity: "minor",
        domain: device.domain,
        commune: device.commune,
        ...operatorField(device, now),
        detail: `Signalé par un habitant : ${category.title}`,
        kind: CITIZEN_KIND,
      },
      now,
    );
    this.lastComment.set(`${alert.id}/${category.id}`, now);
    return receipt(alert, device.id, false);
  }

  private check(input: { asset: string; category: string }, now: EpochMs) {
    if (!ASSET.test(input.asset)) throw new BadRequestError("asset is not an asset identifier");
    const device = this.deps.devices.get(input.asset);
    if (!device) throw new NotFoundError(`asset ${input.asset}`);
    const contract = this.deps.contracts.versionAt(device.contractId, now);
    const categories = contract?.openData.reports?.categories;
    if (!categories) throw new BadRequestError(`asset ${device.id} does not take reports`);
    const category = categories.find((c) => c.id === input.category);
    if (!category) {
      throw new BadRequestError(`category must be one of ${categories.map((c) => c.id).join(", ")}`);
    }
    return { device, category };
  }

  /** At most `perAddressPerHour` reports from one address; its hash is all that is kept. */
  private throttle(address: string, now: EpochMs): void {
    const wait = this.addresses.take(address, now);
    if (wait > 0) {
      throw new ReportThrottledError(
        `too many reports from this address: try again in ${Math.ceil(wait / 60_000)} min`,
      );
    }
  }

  /** The report said on the alert, once an hour per category at most (a crowd is not a flood). */
  private async note(alert: Alert, category: ReportCategory, now: EpochMs): Promise<void> {
    const key = `${alert.id}/${category.id}`;
    const last = this.lastComment.get(key);
    if (last !== undefined && now - last < this.limits.commentEveryMs) return;
    this.lastComment.set(key, now);
    await this.deps.alerts.comment(
      alert.id,
      RESIDENT,
      `Signalé par un habitant : ${category.title}`,
      now,
      alert.version,
    );
  }

  /** Alerts active on the device (its own, or a group's listing it), oldest first. */
  private async activeOn(deviceId: string): Promise<Alert[]> {
    const own = await this.deps.alerts.list({ subject: deviceId, cleared: false, limit: 50 });
    return own.filter((a) => a.status !== "closed").sort((a, b) => a.openedAt - b.openedAt);
  }

  /** A sensor alert raised on a device a resident reported: the report's case closes into it. */
  private async absorb(change: AlertChange): Promise<void> {
    const alert = change.alert;
    if (change.event !== "raised" || alert.ruleId === CITIZEN_REPORT) return;
    for (const deviceId of [alert.subject, ...(alert.children ?? [])]) {
      const reports = (await this.activeOn(deviceId)).filter((a) => a.ruleId === CITIZEN_REPORT);
      for (const report of reports) await this.fold(report, alert);
    }
  }

  private async fold(report: Alert, into: Alert): Promise<void> {
    const now = this.deps.now();
    const since = new Date(report.openedAt).toISOString();
    const noted = await this.deps.alerts.comment(
      report.id,
      PLATFORM,
      `Réuni avec l'alerte n° ${into.id} (${into.ruleId}), détectée par les capteurs`,
      now,
      report.version,
    );
    await this.deps.alerts.closeAlert(report.id, PLATFORM, now, noted.version);
    await this.deps.alerts.comment(
      into.id,
      RESIDENT,
      `Déjà signalé par des habitants depuis ${since} (alerte n° ${report.id}, close ici)`,
      now,
      into.version,
    );
  }
}

function receipt(alert: Alert, asset: string, merged: boolean): ReportReceipt {
  return {
    reference: alert.id,
    asset,
    status: alert.status === "acknowledged" ? "acknowledged" : "open",
    since: alert.openedAt,
    merged,
  };
}

function operatorField(device: Device, at: EpochMs): { operatorId?: string } {
  const operatorId = currentOperator(device, at);
  return operatorId === undefined ? {} : { operatorId };
}
