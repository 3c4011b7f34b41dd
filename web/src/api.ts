/**
 * The pages read and write the same `/api/v1` as every other client, from the server that served
 * them, with the session cookie (same origin, HttpOnly: the scripts never see it). Every change
 * carries the session's CSRF token in `X-CSRF-Token`, fetched once from `/api/v1/session/csrf`.
 */

/** An answer other than 2xx: its status and the API's error code (ErrorBody.code). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from `Retry-After` (429), when given. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Keeps the token the login answered with, so that the next page need not ask for one. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function csrf(): Promise<string> {
  if (csrfToken === undefined) {
    csrfToken = (await getJson<{ token: string }>("/api/v1/session/csrf")).token;
  }
  return csrfToken;
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: "application/json" }, credentials: "same-origin" });
  return read<T>(response);
}

/** A POST, PUT or DELETE with a JSON body (or none), and the CSRF token. */
export async function send<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", "x-csrf-token": await csrf() };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return read<T>(response);
}

/**
 * A POST to the open channel (`/opendata/…`): it takes no session, so no cookie and no CSRF
 * token. With the answer comes the server's clock (`Date`, to the second), so that a page can
 * compare the answer's dates with the server's time rather than the reader's device's.
 */
export async function postOpen<T>(
  path: string,
  body: unknown,
): Promise<{ body: T; serverTime: number | null }> {
  const response = await fetch(path, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    credentials: "omit",
    body: JSON.stringify(body),
  });
  const answer = await read<T>(response);
  const date = Date.parse(response.headers.get("date") ?? "");
  return { body: answer, serverTime: Number.isNaN(date) ? null : date };
}

async function read<T>(response: Response): Promise<T> {
  if (response.ok) {
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  let code = "ERR_HTTP";
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === "string") code = body.code;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // Not the API's JSON error body (a proxy's page): the status says enough.
  }
  const retry = Number(response.headers.get("retry-after"));
  throw new ApiError(response.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}
