import { BadRequestError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * What re-users say about the open data, in public: the reuses they declare (what they built with
 * which datasets) and the questions they ask, which the collectivity answers. Both are moderated
 * before they are shown: a declaration is "pending" until an administrator publishes or rejects
 * it, so that spam or defamation never reaches the collectivity's site; a question is pending
 * until it is answered (which publishes it with its answer) or rejected.
 *
 * Nothing personal is asked nor kept: no name, no e-mail, no address. A re-user who wants to be
 * known says so in the text of the reuse, which is theirs to write and the moderator's to read.
 * The reuse's URL is http(s) only and is shown as text of a link marked rel="nofollow ugc noopener".
 */

export const REUSE_KINDS = ["application", "visualisation", "article", "api", "other"] as const;
export type ReuseKind = (typeof REUSE_KINDS)[number];
export type ReuseState = "pending" | "published" | "rejected";
export type QuestionState = "pending" | "answered" | "rejected";
export type ReuseDecision = "published" | "rejected";

/** The lengths the public form and the API allow (characters). */
export const LIMITS = {
  title: 120,
  url: 500,
  description: 1000,
  question: 1000,
  answer: 4000,
  /** Datasets one reuse may name. */
  datasets: 20,
} as const;

export interface ReuseInput {
  title: string;
  url: string;
  description: string;
  /** Ids of published datasets (the route checks they are). */
  datasets: string[];
  kind: ReuseKind;
}

/** Who moderated, and when. */
export interface Moderation {
  by: string;
  at: EpochMs;
}

export interface Reuse extends ReuseInput {
  /** Increasing over the store: the lists' order and cursor. */
  id: number;
  state: ReuseState;
  declaredAt: EpochMs;
  /** The last decision (a published reuse may be taken down later: rejected). */
  moderation?: Moderation;
}

export interface QuestionInput {
  /** The dataset the question is about; none for a question on the open data in general. */
  dataset?: string;
  text: string;
}

export interface Question {
  id: number;
  dataset?: string;
  text: string;
  state: QuestionState;
  askedAt: EpochMs;
  /** Present when (and only when) the question is answered. */
  answer?: { text: string } & Moderation;
  /** Present when (and only when) the question is rejected. */
  rejection?: Moderation;
}

export interface CommunityQuery<S extends string> {
  state?: S;
  /** Reuses naming this dataset; questions about it. */
  dataset?: string;
  limit: number;
  /** Ids strictly below this one (the next page of a list read newest first). */
  beforeId?: number;
}

export interface CommunityStore {
  start(): Promise<void>;
  close(): Promise<void>;
  /** A declared reuse, pending. Throws ERR_BAD_REQUEST for an input checkReuse refuses. */
  addReuse(input: ReuseInput, at: EpochMs): Promise<Reuse>;
  /** Publishes or rejects a reuse (again, if it was already moderated); ERR_NOT_FOUND if none. */
  moderateReuse(id: number, decision: ReuseDecision, by: string, at: EpochMs): Promise<Reuse>;
  /** Newest first. */
  reuses(query: CommunityQuery<ReuseState>): Promise<Reuse[]>;
  /** A question, pending. Throws ERR_BAD_REQUEST for an input checkQuestion refuses. */
  addQuestion(input: QuestionInput, at: EpochMs): Promise<Question>;
  /** Answers a question (replacing an earlier answer) and so publishes it; ERR_NOT_FOUND if none. */
  answer(id: number, answer: { text: string; by: string }, at: EpochMs): Promise<Question>;
  /** Rejects a question, answered or not: it is no longer shown; ERR_NOT_FOUND if none. */
  rejectQuestion(id: number, by: string, at: EpochMs): Promise<Question>;
  /** Newest first. */
  questions(query: CommunityQuery<QuestionState>): Promise<Question[]>;
}

/** Tab, line feed and carriage return: what a multi-line text may hold of the control characters. */
const LINE_BREAKS = new Set([9, 10, 13]);
const DATASET = /^[a-z][a-z0-9-]{2,79}$/;

/**
 * The store's own guard, whatever the caller checked: the fields' lengths, no control character,
 * a title on one line, and an absolute http(s) URL without credentials (it becomes a link).
 * Returns the input with its texts trimmed.
 */
export function checkReuse(input: ReuseInput): ReuseInput {
  const title = text("title", input.title, LIMITS.title, false);
  const description = text("description", input.description, LIMITS.description, true);
  const url = checkUrl(input.url);
  if (!REUSE_KINDS.includes(input.kind))
    throw new BadRequestError(`kind must be one of ${REUSE_KINDS.join(", ")}`);
  const datasets = [...new Set(input.datasets)];
  if (datasets.length === 0 || datasets.length > LIMITS.datasets) {
    throw new BadRequestError(`a reuse names 1 to ${LIMITS.datasets} datasets`);
  }
  for (const d of datasets) checkDataset(d);
  return { title, url, description, datasets, kind: input.kind };
}

export function checkQuestion(input: QuestionInput): QuestionInput {
  if (input.dataset !== undefined) checkDataset(input.dataset);
  const question = text("text", input.text, LIMITS.question, true);
  return input.dataset === undefined ? { text: question } : { dataset: input.dataset, text: question };
}

export function checkAnswer(answer: string): string {
  return text("answer", answer, LIMITS.answer, true);
}

function checkDataset(id: string): void {
  if (!DATASET.test(id))
    throw new BadRequestError(`dataset ${JSON.stringify(id.slice(0, 80))} is not a dataset id`);
}

function text(name: string, value: string, max: number, multiline: boolean): string {
  const trimmed = value.trim();
  if (trimmed === "") throw new BadRequestError(`${name} is empty`);
  if (trimmed.length > max) throw new BadRequestError(`${name} is longer than ${max} characters`);
  if (hasControl(trimmed, multiline ? LINE_BREAKS : new Set())) {
    throw new BadRequestError(`${name} holds a control character`);
  }
  return trimmed;
}

/** A C0 control character or DEL, other than those `allowed`. */
function hasControl(value: string, allowed: ReadonlySet<number>): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 || c === 127) && !allowed.has(c)) return true;
  }
  return false;
}

/** An absolute http(s) URL, without user or password, at most LIMITS.url characters. */
export function checkUrl(value: string): string {
  const url = value.trim();
  if (url.length > LIMITS.url) throw new BadRequestError(`url is longer than ${LIMITS.url} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestError("url is not an absolute address");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new BadRequestError("url must start with http:// or https://");
  }
  if (parsed.hostname === "" || parsed.username !== "" || parsed.password !== "" || /\s/.test(url)) {
    throw new BadRequestError("url must name a host, without credentials or spaces");
  }
  return url;
}
