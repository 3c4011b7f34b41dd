import type { Principal } from "../../auth/principals.ts";
import { AuthRequiredError, ForbiddenError } from "../../domain/errors.ts";
import { type Audience, audienceOf } from "../policy.ts";

/** The domain views for the collectivity's staff: the public is asked to sign in, an operator refused. */
export function requireStaff(principal: Principal | undefined, what: string): void {
  const audience: Audience = audienceOf(principal);
  if (audience.kind === "public") throw new AuthRequiredError();
  if (audience.kind !== "staff") throw new ForbiddenError(`${what} is for the collectivity's staff`);
}
