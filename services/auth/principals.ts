import { createHash } from "node:crypto";
import type { Operator } from "../domain/types.ts";

/** Who is calling. The public is the absence of a principal. */
export type Role = "admin" | "technician" | "operator";

export interface Principal {
  id: string;
  role: Role;
  /** Set for operators: the operator the caller acts as. */
  operatorId?: string;
}

export interface User {
  id: string;
  role: "admin" | "technician";
  /** Hash of the user's API token (same scheme as operator secrets). */
  tokenHash: string;
}

export type VerifySecret = (secret: string, stored: string) => Promise<boolean>;

export interface Authenticator {
  /** MQTT CONNECT and HTTP Basic: an operator's username and secret. */
  operator(username: string, secret: string): Promise<Principal | undefined>;
  /** HTTP Bearer: a user's token, written `<user id>.<token>`, or a user's `<id>:<token>` in Basic. */
  user(id: string, token: string): Promise<Principal | undefined>;
}

/**
 * Secrets are stored hashed with a slow KDF, which costs tens of milliseconds per check. The
 * verdict of a successful check is cached under a fast digest of the credentials, so a client
 * that reconnects or sends one HTTP batch a second does not pay the KDF each time. Failures are
 * never cached, and the cache is bounded.
 */
export function createAuthenticator(
  operators: readonly Operator[],
  users: readonly User[],
  verify: VerifySecret,
  cacheSize = 1024,
): Authenticator {
  const opsByUsername = new Map(operators.map((o) => [o.username, o]));
  const usersById = new Map(users.map((u) => [u.id, u]));
  const cache = new Map<string, Principal>();
  const remember = (key: string, p: Principal) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(key, p);
    return p;
  };
  const check = async (
    kind: string,
    id: string,
    secret: string,
    stored: string | undefined,
    p: Principal,
  ) => {
    const key = createHash("sha256").update(`${kind}\0${id}\0${secret}`).digest("base64");
    const hit = cache.get(key);
    if (hit) return hit;
    if (stored === undefined || !(await verify(secret, stored))) return undefined;
    return remember(key, p);
  };
  return {
    async operator(username, secret) {
      const op = opsByUsername.get(username);
      const principal: Principal = {
        id: op?.id ?? username,
        role: "operator",
        operatorId: op?.id ?? username,
      };
      return check("op", username, secret, op?.secretHash, principal);
    },
    async user(id, token) {
      const u = usersById.get(id);
      return check("user", id, token, u?.tokenHash, { id, role: u?.role ?? "technician" });
    },
  };
}
