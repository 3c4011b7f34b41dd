import { NotFoundError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import {
  type CommunityQuery,
  type CommunityStore,
  checkAnswer,
  checkQuestion,
  checkReuse,
  type Question,
  type QuestionInput,
  type QuestionState,
  type Reuse,
  type ReuseDecision,
  type ReuseInput,
  type ReuseState,
} from "./community-store.ts";

/**
 * The in-memory twin of the community store, for tests and demos: the same rules as the DuckDB
 * adapter over two arrays kept in id order. Everything lives as long as the object: close() and
 * start() keep it, as a file would. Callers get copies.
 */
class MemoryCommunityStore implements CommunityStore {
  private readonly reuseList: Reuse[] = [];
  private readonly questionList: Question[] = [];

  async start(): Promise<void> {}

  async close(): Promise<void> {}

  async addReuse(input: ReuseInput, at: EpochMs): Promise<Reuse> {
    const reuse: Reuse = {
      id: this.reuseList.length + 1,
      ...checkReuse(input),
      state: "pending",
      declaredAt: at,
    };
    this.reuseList.push(reuse);
    return copyReuse(reuse);
  }

  async moderateReuse(id: number, decision: ReuseDecision, by: string, at: EpochMs): Promise<Reuse> {
    const reuse = this.reuseList.find((r) => r.id === id);
    if (!reuse) throw new NotFoundError(`reuse ${id}`);
    reuse.state = decision;
    reuse.moderation = { by, at };
    return copyReuse(reuse);
  }

  async reuses(query: CommunityQuery<ReuseState>): Promise<Reuse[]> {
    const { dataset } = query;
    return page(this.reuseList, query, (r) => dataset === undefined || r.datasets.includes(dataset)).map(
      copyReuse,
    );
  }

  async addQuestion(input: QuestionInput, at: EpochMs): Promise<Question> {
    const question: Question = {
      id: this.questionList.length + 1,
      ...checkQuestion(input),
      state: "pending",
      askedAt: at,
    };
    this.questionList.push(question);
    return copyQuestion(question);
  }

  async answer(id: number, answer: { text: string; by: string }, at: EpochMs): Promise<Question> {
    const text = checkAnswer(answer.text);
    const question = this.question(id);
    question.state = "answered";
    question.answer = { text, by: answer.by, at };
    delete question.rejection;
    return copyQuestion(question);
  }

  async rejectQuestion(id: number, by: string, at: EpochMs): Promise<Question> {
    const question = this.question(id);
    question.state = "rejected";
    question.rejection = { by, at };
    delete question.answer;
    return copyQuestion(question);
  }

  async questions(query: CommunityQuery<QuestionState>): Promise<Question[]> {
    const { dataset } = query;
    return page(this.questionList, query, (q) => dataset === undefined || q.dataset === dataset).map(
      copyQuestion,
    );
  }

  private question(id: number): Question {
    const question = this.questionList.find((q) => q.id === id);
    if (!question) throw new NotFoundError(`question ${id}`);
    return question;
  }
}

/** Newest first, in the query's state, below its cursor, matching `keep`, at most `limit`. */
function page<T extends { id: number; state: string }>(
  items: readonly T[],
  query: CommunityQuery<string>,
  keep: (item: T) => boolean,
): T[] {
  const found: T[] = [];
  for (let i = items.length - 1; i >= 0 && found.length < query.limit; i--) {
    const item = items[i];
    if (!item || (query.beforeId !== undefined && item.id >= query.beforeId)) continue;
    if ((query.state === undefined || item.state === query.state) && keep(item)) found.push(item);
  }
  return found;
}

function copyReuse(r: Reuse): Reuse {
  return { ...r, datasets: [...r.datasets], ...(r.moderation ? { moderation: { ...r.moderation } } : {}) };
}

function copyQuestion(q: Question): Question {
  return {
    ...q,
    ...(q.answer ? { answer: { ...q.answer } } : {}),
    ...(q.rejection ? { rejection: { ...q.rejection } } : {}),
  };
}

export function createMemoryCommunityStore(): CommunityStore {
  return new MemoryCommunityStore();
}
