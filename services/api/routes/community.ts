import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { iso } from "../../access/views.ts";
import { AddressLimit, type AddressLimits, DEFAULT_COMMUNITY_LIMITS } from "../../domain/address-limit.ts";
import { BadRequestError, CommunityThrottledError } from "../../domain/errors.ts";
import type { EpochMs } from "../../domain/types.ts";
import {
  type CommunityStore,
  checkQuestion,
  checkReuse,
  LIMITS,
  type Question,
  REUSE_KINDS,
  type Reuse,
} from "../../opendata/community-store.ts";
import type { OpenDataService } from "../../opendata/service.ts";
import { Query } from "../schemas.ts";

/**
 * Re-users' side of the open channel (registered under /opendata, with its CORS and rate limit):
 * the reuses they declare and the questions they ask, shown once an administrator has published
 * them (a reuse) or answered them (a question). Nothing personal is asked: no name, no e-mail;
 * the address a post comes from is held in memory only, as a keyed hash, for the limit.
 */
export interface CommunityRouteOptions {
  /** Whether a dataset is published (an unpublished one is the same as none for the public). */
  datasetExists: (id: string) => Promise<boolean>;
  now: () => EpochMs;
  /** Posts per address and hour (429 ERR_COMMUNITY_THROTTLED past it). */
  limits?: AddressLimits;
}

export interface CommunityAdminOptions {
  /** The administrators' guard (`scope.requireRole("admin")` in the API). */
  requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  now: () => EpochMs;
}

const TAGS = ["open data community"];
const NO_PERSONAL_DATA =
  "Nothing personal is asked or kept: no name, no e-mail. Shown only after an administrator's review. " +
  "An address may post a few times an hour (429 ERR_COMMUNITY_THROTTLED).";
const DatasetId = Type.String({ pattern: "^[a-z][a-z0-9-]{2,79}$" });
const Id = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const Paging = {
  dataset: Type.Optional(DatasetId),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  before: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "ids strictly below this one",
    }),
  ),
};
const Pending = Type.Object({ id: Type.Integer(), state: Type.Literal("pending") });

const ReuseBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
    url: Type.String({
      maxLength: LIMITS.url,
      pattern: "^https?://\\S+$",
      description: 'http(s) only; shown as a link marked rel="nofollow ugc noopener"',
    }),
    description: Type.String({ minLength: 1, maxLength: LIMITS.description }),
    datasets: Type.Array(DatasetId, { minItems: 1, maxItems: LIMITS.datasets, uniqueItems: true }),
    kind: Type.Union(REUSE_KINDS.map((k) => Type.Literal(k))),
  },
  { additionalProperties: false },
);
const QuestionBody = Type.Object(
  {
    dataset: Type.Optional(DatasetId),
    text: Type.String({ minLength: 1, maxLength: LIMITS.question }),
  },
  { additionalProperties: false },
);

const PublicReuse = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Type.String(),
  description: Type.String(),
  datasets: Type.Array(Type.String()),
  kind: Type.String(),
  declared_at: Type.String({ format: "date-time" }),
  published_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
const PublicQuestion = Type.Object({
  id: Type.Integer(),
  dataset: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  asked_at: Type.String({ format: "date-time" }),
  answer: Type.Union([
    Type.Object({ text: Type.String(), answered_at: Type.String({ format: "date-time" }) }),
    Type.Null(),
  ]),
});
const Moderated = {
  state: Type.String(),
  moderated_by: Type.Union([Type.String(), Type.Null()]),
  moderated_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
};
const AdminReuse = Type.Composite([PublicReuse, Type.Object(Moderated)]);
const AdminQuestion = Type.Composite([PublicQuestion, Type.Object(Moderated)]);

/** A list and the `before` of its next page (null on the last one). */
function Page<T extends TSchema>(name: string, item: T) {
  return Type.Object({ [name]: Type.Array(item), next_before: Type.Union([Type.Integer(), Type.Null()]) });
}

/** The public part, under the open channel's prefix (`/opendata/reuses`, `/opendata/questions`). */
export async function communityRoutes(
  app: FastifyInstance,
  store: CommunityStore,
  options: CommunityRouteOptions,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const limit = new AddressLimit(options.limits ?? DEFAULT_COMMUNITY_LIMITS);
  const throttle = (request: FastifyRequest, reply: FastifyReply) => {
    const wait = limit.take(request.ip, options.now());
    if (wait === 0) return;
    reply.header("retry-after", String(Math.ceil(wait / 1000)));
    throw new CommunityThrottledError("too many posts from this address: try again later");
  };
  const published = async (ids: readonly string[]) => {
    const found = await Promise.all(ids.map((id) => options.datasetExists(id)));
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length > 0) throw new BadRequestError(`not a published dataset: ${missing.join(", ")}`);
  };

  typed.get(
    "/reuses",
    {
      schema: {
        tags: TAGS,
        summary: "Published reuses of the open data, newest first, of one dataset or all",
        querystring: Query(Paging),
        response: { 200: Page("reuses", PublicReuse) },
      },
    },
    async (request, reply) => {
      const { dataset, limit: size = 50, before } = request.query;
      const reuses = await store.reuses(listQuery("published", dataset, size, before));
      reply.header("cache-control", "no-cache");
      return { reuses: reuses.map(publicReuse), next_before: nextBefore(reuses, size) };
    },
  );
  typed.post(
    "/reuses",
    {
      schema: {
        tags: TAGS,
        summary: "Declare a reuse: what you built with which datasets (published after review)",
        description: NO_PERSONAL_DATA,
        body: ReuseBody,
        response: { 202: Pending },
      },
    },
    async (request, reply) => {
      const input = checkReuse(request.body);
      await published(input.datasets);
      throttle(request, reply);
      const reuse = await store.addReuse(input, options.now());
      reply.code(202);
      return { id: reuse.id, state: "pending" as const };
    },
  );
  typed.get(
    "/questions",
    {
      schema: {
        tags: TAGS,
        summary: "Answered questions of re-users with the collectivity's answers, newest first",
        querystring: Query(Paging),
        response: { 200: Page("questions", PublicQuestion) },
      },
    },
    async (request, reply) => {
      const { dataset, limit: size = 50, before } = request.query;
      const questions = await store.questions(listQuery("answered", dataset, size, before));
      reply.header("cache-control", "no-cache");
      return { questions: questions.map(publicQuestion), next_before: nextBefore(questions, size) };
    },
  );
  typed.post(
    "/questions",
    {
      schema: {
        tags: TAGS,
        summary: "Ask the collectivity a question on a dataset or the open data (shown once answered)",
        description: NO_PERSONAL_DATA,
        body: QuestionBody,
        response: { 202: Pending },
      },
    },
    async (request, reply) => {
      const input = checkQuestion(request.body);
      if (input.dataset !== undefined) await published([input.dataset]);
      throttle(request, reply);
      const question = await store.addQuestion(input, options.now());
      reply.code(202);
      return { id: question.id, state: "pending" as const };
    },
  );
}

const ReuseState = Type.Union([Type.Literal("pending"), Type.Literal("published"), Type.Literal("rejected")]);
const QuestionState = Type.Union([
  Type.Literal("pending"),
  Type.Literal("answered"),
  Type.Literal("rejected"),
]);

/** The administrators' moderation, under /api/v1/community. */
export async function communityAdminRoutes(
  app: FastifyInstance,
  store: CommunityStore,
  options: CommunityAdminOptions,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { preHandler: options.requireAdmin };
  const by = (request: FastifyRequest) => request.principal?.id ?? "admin";

  typed.get(
    "/api/v1/community/reuses",
    {
      ...admin,
      schema: {
        tags: TAGS,
        summary: "Declared reuses in a state (pending: to review), newest first",
        querystring: Query({ state: Type.Optional(ReuseState), ...Paging }),
        response: { 200: Page("reuses", AdminReuse) },
      },
    },
    async (request) => {
      const { state, dataset, limit = 50, before } = request.query;
      const reuses = await store.reuses(listQuery(state, dataset, limit, before));
      return { reuses: reuses.map(adminReuse), next_before: nextBefore(reuses, limit) };
    },
  );
  typed.post(
    "/api/v1/community/reuses/:id/moderate",
    {
      ...admin,
      schema: {
        tags: TAGS,
        summary: "Publish or reject a declared reuse (a published one may be taken down)",
        params: Id,
        body: Type.Object(
          { decision: Type.Union([Type.Literal("published"), Type.Literal("rejected")]) },
          { additionalProperties: false },
        ),
        response: { 200: AdminReuse },
      },
    },
    async (request) =>
      adminReuse(
        await store.moderateReuse(request.params.id, request.body.decision, by(request), options.now()),
      ),
  );
  typed.get(
    "/api/v1/community/questions",
    {
      ...admin,
      schema: {
        tags: TAGS,
        summary: "Re-users' questions in a state (pending: to answer), newest first",
        querystring: Query({ state: Type.Optional(QuestionState), ...Paging }),
        response: { 200: Page("questions", AdminQuestion) },
      },
    },
    async (request) => {
      const { state, dataset, limit = 50, before } = request.query;
      const questions = await store.questions(listQuery(state, dataset, limit, before));
      return { questions: questions.map(adminQuestion), next_before: nextBefore(questions, limit) };
    },
  );
  typed.post(
    "/api/v1/community/questions/:id/answer",
    {
      ...admin,
      schema: {
        tags: TAGS,
        summary: "Answer a question, which publishes it with its answer",
        params: Id,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: LIMITS.answer }) },
          { additionalProperties: false },
        ),
        response: { 200: AdminQuestion },
      },
    },
    async (request) => {
      const answer = { text: request.body.text, by: by(request) };
      return adminQuestion(await store.answer(request.params.id, answer, options.now()));
    },
  );
  typed.post(
    "/api/v1/community/questions/:id/reject",
    {
      ...admin,
      schema: {
        tags: TAGS,
        summary: "Reject a question, answered or not: it is not shown",
        params: Id,
        response: { 200: AdminQuestion },
      },
    },
    async (request) =>
      adminQuestion(await store.rejectQuestion(request.params.id, by(request), options.now())),
  );
}

/**
 * The open channel's check that a dataset is published, from the open-data service: its `get`
 * answers ERR_NOT_FOUND for a dataset that is unknown or only in preview.
 */
export function publishedDataset(opendata: Pick<OpenDataService, "get">): (id: string) => Promise<boolean> {
  return async (id) => {
    try {
      await opendata.get(id);
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === "ERR_NOT_FOUND") return false;
      throw err;
    }
  };
}

function listQuery<S extends string>(
  state: S | undefined,
  dataset: string | undefined,
  limit: number,
  before?: number,
) {
  return {
    ...(state !== undefined ? { state } : {}),
    ...(dataset !== undefined ? { dataset } : {}),
    limit,
    ...(before !== undefined ? { beforeId: before } : {}),
  };
}

function nextBefore(items: readonly { id: number }[], limit: number): number | null {
  return items.length === limit ? (items.at(-1)?.id ?? null) : null;
}

/** What the public sees of a reuse: not who moderated it. */
function publicReuse(r: Reuse) {
  return {
    id: r.id,
    title: r.title,
    url: r.url,
    description: r.description,
    datasets: r.datasets,
    kind: r.kind,
    declared_at: iso(r.declaredAt),
    published_at: r.state === "published" && r.moderation ? iso(r.moderation.at) : null,
  };
}

function publicQuestion(q: Question) {
  return {
    id: q.id,
    dataset: q.dataset ?? null,
    text: q.text,
    asked_at: iso(q.askedAt),
    answer: q.answer ? { text: q.answer.text, answered_at: iso(q.answer.at) } : null,
  };
}

function adminReuse(r: Reuse) {
  return { ...publicReuse(r), ...moderated(r.state, r.moderation) };
}

function adminQuestion(q: Question) {
  return { ...publicQuestion(q), ...moderated(q.state, q.answer ?? q.rejection) };
}

function moderated(state: string, m: { by: string; at: EpochMs } | undefined) {
  return { state, moderated_by: m?.by ?? null, moderated_at: m ? iso(m.at) : null };
}
