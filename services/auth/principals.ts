import { createHash } from "node:crypto";
import { type Clock, systemClock } from "../domain/clock.ts";
import { AgreementEndedError, AuthThrottledError } from "../domain/errors.ts";
import type { EpochMs, Operator } from "../domain/types.ts";
import { sessionClientId } from "./client-id.ts";
import { createKdfGate, DEFAULT_KDF_GATE, type KdfGateConfig } from "./kdf-gate.ts";
import {
  ADDRESS_THROTTLE,
  createLoginThrottle,
  type LoginThrottle,
  type ThrottleConfig,
  USER_THROTTLE,
} from "./throttle.ts";

/**
 * Who is calling. The public is the absence of a principal. A partner (a laboratory, a research
 * body) reads under an agreement only, through its own routes (services/clauses/partners.ts):
 * no other route names the role, and the access policy refuses it everywhere else.
 */
export type Role = "admin" | "technician" | "operator" | "partner";

export interface Principal {
  /** For a partner: the agreement's id (its key's first part). */
  id: string;
  role: Role;
  /** Set for operators: the operator the caller acts as. */
  operatorId?: string;
  /** Set for partners: who the partner is (the agreement's `partner`). */
  partnerId?: string;
}

/**
 * A partner key as the authenticator needs it, read at each request from the partner store
 * (through `AuthenticatorOptions.partners`, so that this file needs no store).
 */
export interface PartnerCredential {
  /** scrypt hash of the key's secret part. */
  keyHash: string;
  partnerId: string;
  /** The agreement lets its partner in within [validFrom, validTo), until `endedAt` when ended. */
  validFrom: EpochMs;
  validTo: EpochMs;
  endedAt?: EpochMs;
}

/** Prefix of a partner key, written `lp_<agreement id>_<secret>`. */
export const PARTNER_KEY_PREFIX = "lp_";
const PARTNER_KEY = /^lp_([a-z0-9][a-z0-9-]{0,63})_([A-Za-z0-9_-]{16,200})$/;

/** The agreement id and secret of a partner key, or undefined when the text is not one. */
export function parsePartnerKey(key: string): { id: string; secret: string } | undefined {
  const m = PARTNER_KEY.exec(key);
  return m ? { id: m[1] as string, secret: m[2] as string } : undefined;
}

export interface User {
  id: string;
  role: "admin" | "technician";
  /** Hash of the user's API token (same scheme as operator secrets). */
  tokenHash: string;
}

export type VerifySecret = (secret: string, stored: string) => Promise<boolean>;

/** Where credentials came in: each kind of credential is accepted in its own scheme only. */
export const AUTH_SCHEMES = ["mqtt", "basic", "bearer"] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

export interface LoginAttempt {
  scheme: AuthScheme;
  /** The remote address, throttled as a whole besides the username. */
  address?: string;
}

/** Running totals, read by the platform's metrics at each scrape. */
export interface AuthStats {
  /** Credentials that did not verify (unknown id or wrong secret). */
  failures: Record<AuthScheme, number>;
  /** Attempts refused before any check: too many recent failures, or too many checks waiting. */
  throttled: Record<AuthScheme, number>;
}

export interface Authenticator {
  /**
   * MQTT CONNECT and HTTP Basic: an operator's username and secret. Undefined when they do not
   * verify; throws `ERR_AUTH_THROTTLED` (see `retryAfterSeconds`) when the username or the address
   * failed too often lately.
   */
  operator(username: string, secret: string, attempt?: LoginAttempt): Promise<Principal | undefined>;
  /** HTTP Bearer only: a user's token, written `<user id>.<token>`. Same outcomes as `operator`. */
  user(id: string, token: string, attempt?: LoginAttempt): Promise<Principal | undefined>;
  /**
   * HTTP Bearer only: a partner's key `lp_<agreement id>_<secret>`, split. Same outcomes as
   * `user`, and `ERR_AGREEMENT_ENDED` when the key verifies but its agreement is not in force at
   * this instant (read at each call, never cached). Undefined when no lookup was configured.
   */
  partner(agreementId: string, secret: string, attempt?: LoginAttempt): Promise<Principal | undefined>;
  /**
   * The MQTT client id an operator's connection is registered under (see client-id.ts), or
   * undefined when the requested id lies in another operator's namespace.
   */
  mqttClientId(operatorId: string, requested: string): string | undefined;
  readonly stats: AuthStats;
}

export interface AuthenticatorOptions {
  clock?: Clock;
  /** Successful verdicts kept (bounded). */
  cacheSize?: number;
  userThrottle?: ThrottleConfig;
  addressThrottle?: ThrottleConfig;
  kdf?: KdfGateConfig;
  /** Partner keys by agreement id (the partner store); without it no partner key verifies. */
  partners?: (agreementId: string) => Promise<PartnerCredential | undefined>;
}

/** The seconds to put in `Retry-After` when `err` is a throttling refusal; undefined otherwise. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!(err instanceof AuthThrottledError)) return undefined;
  const seconds: unknown = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === "number" ? seconds : 1;
}

function throttled(ms: number): Error {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return Object.assign(new AuthThrottledError(String(seconds)), { retryAfterSeconds: seconds });
}

/** What one check needs: the credential's kind and id, the secret given, and what is stored. */
interface Claim {
  kind: "op" | "user" | "partner";
  id: string;
  secret: string;
  stored: string | undefined;
  principal: Principal;
}

/** The records an attempt is counted under: its account (when it exists) and its address. */
interface ThrottleKeys {
  user?: string;
  address?: string;
}

/**
 * Secrets are stored hashed with a slow KDF, which costs tens of milliseconds per check. The
 * verdict of a successful check is cached under a fast digest of the credentials, so a client
 * that reconnects or sends one HTTP batch a second does not pay the KDF each time. Failures are
 * never cached, and the cache is bounded.
 *
 * Failed logins are throttled per username and per remote address before the KDF runs, and the
 * KDF runs through a gate that bounds its concurrency (kdf-gate.ts), so that guessing costs the
 * attacker time and costs the platform almost nothing. A credential already verified (in the
 * cache) is still accepted while its username is throttled, as long as its address is not: an
 * attacker who sends wrong passwords under an operator's name cannot lock the operator out, and a
 * guess that happens to be right is still refused from a throttled address.
 */
export function createAuthenticator(
  operators: readonly Operator[],
  users: readonly User[],
  verify: VerifySecret,
  options: AuthenticatorOptions = {},
): Authenticator {
  const clock = options.clock ?? systemClock;
  const cacheSize = options.cacheSize ?? 1024;
  const opsByUsername = new Map(operators.map((o) => [o.username, o]));
  const operatorIds = operators.map((o) => o.id);
  const usersById = new Map(users.map((u) => [u.id, u]));
  const cache = new Map<string, Principal>();
  const byUser: LoginThrottle = createLoginThrottle(options.userThrottle ?? USER_THROTTLE, clock);
  const byAddress: LoginThrottle = createLoginThrottle(options.addressThrottle ?? ADDRESS_THROTTLE, clock);
  const gate = createKdfGate(options.kdf ?? DEFAULT_KDF_GATE);
  /** Checks under way, by credential digest: the same credentials sent at once pay the KDF once. */
  const inFlight = new Map<string, Promise<boolean>>();
  const stats: AuthStats = {
    failures: { mqtt: 0, basic: 0, bearer: 0 },
    throttled: { mqtt: 0, basic: 0, bearer: 0 },
  };
  const remember = (key: string, p: Principal) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(key, p);
    return p;
  };
  const refuse = (scheme: AuthScheme, ms: number): never => {
    stats.throttled[scheme]++;
    throw throttled(ms);
  };

  const record = (keys: ThrottleKeys) => {
    if (keys.user !== undefined) byUser.failed(keys.user);
    if (keys.address !== undefined) byAddress.failed(keys.address);
  };
  const waitFor = (keys: ThrottleKeys) =>
    Math.max(
      keys.user !== undefined ? byUser.retryAfterMs(keys.user) : 0,
      keys.address !== undefined ? byAddress.retryAfterMs(keys.address) : 0,
    );
  const suspect = (keys: ThrottleKeys) =>
    (keys.user !== undefined && byUser.suspect(keys.user)) ||
    (keys.address !== undefined && byAddress.suspect(keys.address));

  /** The KDF check, once per distinct credentials at a time, through the gate. */
  const verifyOnce = (digest: string, claim: Claim, stored: string, keys: ThrottleKeys) => {
    const running = inFlight.get(digest);
    if (running) return running;
    const queued = gate.tryRun(async () => {
      // Failures recorded while this check waited for a slot count too.
      const wait = waitFor(keys);
      if (wait > 0) throw throttled(wait);
      const ok = await verify(claim.secret, stored);
      // Recorded before the slot is freed, so the next check in the queue already sees it.
      if (ok) {
        if (keys.user !== undefined) byUser.succeeded(keys.user);
      } else record(keys);
      return ok;
    }, suspect(keys));
    if (!queued) return undefined;
    const done = queued.finally(() => inFlight.delete(digest));
    inFlight.set(digest, done);
    return done;
  };

  const check = async (claim: Claim, attempt: LoginAttempt): Promise<Principal | undefined> => {
    const { kind, id, secret, stored } = claim;
    const digest = createHash("sha256").update(`${kind}\0${id}\0${secret}`).digest("base64");
    const keys: ThrottleKeys = {
      // Only existing accounts get a per-user record: names made up by an attacker cannot fill it.
      ...(stored !== undefined ? { user: `${kind}\0${id}` } : {}),
      ...(attempt.address !== undefined ? { address: attempt.address } : {}),
    };
    const hit = cache.get(digest);
    if (hit && (keys.address === undefined || byAddress.retryAfterMs(keys.address) === 0)) return hit;
    const wait = waitFor(keys);
    if (wait > 0) return refuse(attempt.scheme, wait);
    if (stored === undefined) {
      stats.failures[attempt.scheme]++;
      record(keys);
      return undefined;
    }
    const verdict = verifyOnce(digest, claim, stored, keys);
    if (!verdict) return refuse(attempt.scheme, 1000);
    let ok: boolean;
    try {
      ok = await verdict;
    } catch (err) {
      const seconds = retryAfterSeconds(err);
      if (seconds !== undefined) return refuse(attempt.scheme, seconds * 1000);
      throw err;
    }
    if (!ok) {
      // Every attempt counts in the metrics; the throttle counted the check once (verifyOnce).
      stats.failures[attempt.scheme]++;
      return undefined;
    }
    return remember(digest, claim.principal);
  };

  return {
    async operator(username, secret, attempt = { scheme: "basic" }) {
      const op = opsByUsername.get(username);
      const operatorId = op?.id ?? username;
      const principal: Principal = { id: operatorId, role: "operator", operatorId };
      return check({ kind: "op", id: username, secret, stored: op?.secretHash, principal }, attempt);
    },
    async user(id, token, attempt = { scheme: "bearer" }) {
      const u = usersById.get(id);
      const principal: Principal = { id, role: u?.role ?? "technician" };
      return check({ kind: "user", id, secret: token, stored: u?.tokenHash, principal }, attempt);
    },
    async partner(agreementId, secret, attempt = { scheme: "bearer" }) {
      // Read at each request: an agreement ended a second ago lets nobody in, cache or not.
      const credential = await options.partners?.(agreementId);
      const principal: Principal = {
        id: agreementId,
        role: "partner",
        partnerId: credential?.partnerId ?? agreementId,
      };
      const stored = credential?.keyHash;
      const verified = await check({ kind: "partner", id: agreementId, secret, stored, principal }, attempt);
      // Only a key that verifies learns that its agreement is over.
      if (!verified || !credential) return undefined;
      if (!partnerInForce(credential, clock.now())) throw new AgreementEndedError();
      return verified;
    },
    mqttClientId(operatorId, requested) {
      return sessionClientId(requested, operatorId, operatorIds);
    },
    stats,
  };
}

function partnerInForce(c: PartnerCredential, now: EpochMs): boolean {
  return c.validFrom <= now && now < c.validTo && (c.endedAt === undefined || now < c.endedAt);
}
