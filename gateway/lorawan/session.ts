import { inspect } from "node:util";
import { ConfigInvalidError } from "../../services/domain/errors.ts";
import { type FCntCheck, MAX_FCNT_GAP, nextFCnt } from "./fcnt.ts";
import { openKey, sealKey } from "./sealed-key.ts";

export { fCntMSBytes, MAX_FCNT_GAP, nextFCnt, reconstructFCnt } from "./fcnt.ts";
export { masterKeyFrom, openKey, sealKey } from "./sealed-key.ts";

/** The two LoRaWAN 1.0.x session keys of an ABP device, 16 bytes each. */
export interface SessionKeys {
  readonly nwkSKey: Buffer;
  readonly appSKey: Buffer;
}

export interface AbpSessionInit extends SessionKeys {
  deviceId: string;
  /** 8 hex characters, big-endian as written on labels ("26011BDA"). */
  devAddr: string;
  /** Last accepted 32-bit uplink counter, when one was persisted. */
  fCntUp?: number;
}

/**
 * An ABP device's session. The keys live in private fields and are reachable only inside
 * `useKeys`, so that no log line, JSON body or error report can carry them by accident:
 * `toJSON` and `util.inspect` show the device, the address and the counter, never the keys.
 */
export class AbpSession {
  readonly deviceId: string;
  readonly devAddr: string;
  #keys: SessionKeys;
  #fCntUp: number | undefined;

  constructor(init: AbpSessionInit) {
    this.deviceId = init.deviceId;
    this.devAddr = init.devAddr.toLowerCase();
    this.#keys = { nwkSKey: Buffer.from(init.nwkSKey), appSKey: Buffer.from(init.appSKey) };
    this.#fCntUp = init.fCntUp;
  }

  /** Last accepted 32-bit uplink counter. */
  get fCntUp(): number | undefined {
    return this.#fCntUp;
  }

  /** The 32-bit counter a frame with this 16-bit counter would have, or why it is refused. */
  checkFCnt(fcnt16: number, maxGap = MAX_FCNT_GAP): FCntCheck {
    return nextFCnt(this.#fCntUp, fcnt16, maxGap);
  }

  /** Records an accepted counter. Call only once the frame's MIC verified (else anyone could advance it). */
  acceptFCnt(fCnt32: number): void {
    if (this.#fCntUp === undefined || fCnt32 > this.#fCntUp) this.#fCntUp = fCnt32;
  }

  useKeys<T>(use: (keys: SessionKeys) => T): T {
    return use(this.#keys);
  }

  /** Overwrites the keys in memory (on close), so a later heap dump does not hold them. */
  wipe(): void {
    this.#keys.nwkSKey.fill(0);
    this.#keys.appSKey.fill(0);
  }

  toJSON(): { deviceId: string; devAddr: string; fCntUp: number | undefined } {
    return { deviceId: this.deviceId, devAddr: this.devAddr, fCntUp: this.#fCntUp };
  }

  [inspect.custom](): string {
    return `AbpSession { deviceId: ${this.deviceId}, devAddr: ${this.devAddr}, fCntUp: ${this.#fCntUp}, keys: [hidden] }`;
  }
}

/**
 * Sessions by DevAddr. ABP addresses are chosen by hand and may collide, so one address can
 * hold several sessions; the MIC tells them apart (as network servers do).
 */
export class SessionTable {
  readonly #byAddr = new Map<string, AbpSession[]>();

  constructor(sessions: Iterable<AbpSession>) {
    for (const s of sessions) this.#byAddr.set(s.devAddr, [...(this.#byAddr.get(s.devAddr) ?? []), s]);
  }

  candidates(devAddr: string): readonly AbpSession[] {
    return this.#byAddr.get(devAddr.toLowerCase()) ?? [];
  }

  all(): AbpSession[] {
    return [...this.#byAddr.values()].flat();
  }

  wipe(): void {
    for (const s of this.all()) s.wipe();
  }
}

/** An ABP device as stored in configuration: keys sealed with `sealKey` (see sealed-key.ts). */
export interface AbpDeviceConfig {
  deviceId: string;
  devAddr: string;
  /** `v1:...` sealed with context `keyContext(devAddr, "nwk")`. */
  nwkSKey: string;
  /** `v1:...` sealed with context `keyContext(devAddr, "app")`. */
  appSKey: string;
  fCntUp?: number;
}

/** The AAD that binds a sealed key to its device and slot. */
export function keyContext(devAddr: string, slot: "nwk" | "app"): string {
  return `lorawan-abp:${devAddr.toLowerCase()}:${slot}`;
}

/** Seals a device's plain keys for storage in configuration. */
export function sealDevice(
  device: Omit<AbpDeviceConfig, "nwkSKey" | "appSKey"> & SessionKeys,
  masterKey: Buffer,
): AbpDeviceConfig {
  const { nwkSKey, appSKey, ...rest } = device;
  return {
    ...rest,
    nwkSKey: sealKey(nwkSKey, masterKey, keyContext(device.devAddr, "nwk")),
    appSKey: sealKey(appSKey, masterKey, keyContext(device.devAddr, "app")),
  };
}

/**
 * Opens every configured device once at start. Every problem is listed (never a key), then
 * one `ConfigInvalidError` is thrown: a platform with a half-loaded device list would refuse
 * good frames as unknown.
 */
export function openSessions(devices: readonly AbpDeviceConfig[], masterKey: Buffer): SessionTable {
  const errors: string[] = [];
  const sessions: AbpSession[] = [];
  devices.forEach((d, i) => {
    const session = openOne(d, masterKey, (e) => errors.push(`  - devices[${i}] (${d.deviceId}): ${e}`));
    if (session) sessions.push(session);
  });
  if (errors.length > 0) throw new ConfigInvalidError(errors.join("\n"));
  return new SessionTable(sessions);
}

function openOne(d: AbpDeviceConfig, masterKey: Buffer, error: (e: string) => void): AbpSession | undefined {
  if (!/^[0-9a-fA-F]{8}$/.test(d.devAddr)) error(`devAddr "${d.devAddr}" is not 8 hex characters`);
  const nwkSKey = openOrReport(d.nwkSKey, masterKey, keyContext(d.devAddr, "nwk"), "nwkSKey", error);
  const appSKey = openOrReport(d.appSKey, masterKey, keyContext(d.devAddr, "app"), "appSKey", error);
  if (!nwkSKey || !appSKey || !/^[0-9a-fA-F]{8}$/.test(d.devAddr)) return undefined;
  return new AbpSession({ deviceId: d.deviceId, devAddr: d.devAddr, nwkSKey, appSKey, fCntUp: d.fCntUp });
}

function openOrReport(
  sealed: string,
  masterKey: Buffer,
  context: string,
  name: string,
  error: (e: string) => void,
): Buffer | undefined {
  try {
    const key = openKey(sealed, masterKey, context);
    if (key.length === 16) return key;
    error(`${name} is ${key.length} bytes, LoRaWAN session keys have 16`);
  } catch (err) {
    error(`${name}: ${(err as Error).message}`);
  }
  return undefined;
}
