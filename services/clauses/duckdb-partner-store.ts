import { BIGINT, BOOLEAN, type DuckDBConnection, type DuckDBValue, VARCHAR } from "@duckdb/node-api";
import { AgreementInvalidError } from "../domain/errors.ts";
import { DuckdbFile } from "../storage/duckdb/duckdb-file.ts";
import { type Param, query, type Row } from "../storage/duckdb/sql.ts";
import {
  type Agreement,
  type AgreementEnd,
  type AgreementSecrets,
  checkAgreement,
  type PartnerKey,
  type PartnerStore,
  type ScopeItem,
} from "./partner-store.ts";

export interface DuckdbPartnerStoreConfig {
  /** Its own database file (e.g. data/partners.duckdb), apart from the other stores'; ":memory:" for tests. */
  path: string;
}

/**
 * Schema. Times are BIGINT epoch milliseconds; the scope is JSON text (a short list read whole).
 * Rows are never deleted: ending an agreement sets its end columns once (`ended_at IS NULL`).
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS agreements (
    id VARCHAR PRIMARY KEY,
    partner VARCHAR NOT NULL,
    purpose VARCHAR NOT NULL,
    legal_reference VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    data_from BIGINT,
    data_to BIGINT,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT NOT NULL,
    pseudonymise BOOLEAN NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    ended_by VARCHAR,
    end_reason VARCHAR,
    key_hash VARCHAR NOT NULL,
    pseudonym_key VARCHAR NOT NULL
  )`,
];

const SHOWN = `id, partner, purpose, legal_reference, scope, data_from, data_to, valid_from, valid_to,
  pseudonymise, created_by, created_at, ended_at, ended_by, end_reason`;
const INSERT = `INSERT INTO agreements (${SHOWN}, key_hash, pseudonym_key) VALUES ($id, $partner, $purpose,
  $legal_reference, $scope, $data_from, $data_to, $valid_from, $valid_to, $pseudonymise, $created_by,
  $created_at, NULL, NULL, NULL, $key_hash, $pseudonym_key)`;
const TAKEN = "SELECT id FROM agreements WHERE id = $id";
const LIST = `SELECT ${SHOWN} FROM agreements ORDER BY created_at, id`;
const ONE = `SELECT ${SHOWN} FROM agreements WHERE id = $id`;
const KEY = `SELECT ${SHOWN}, key_hash, pseudonym_key FROM agreements WHERE id = $id`;
const END = `UPDATE agreements SET ended_at = $ended_at, ended_by = $ended_by, end_reason = $end_reason
  WHERE id = $id AND ended_at IS NULL`;

/** The embedded partner store: DuckDB on its own file, a write lane and a read lane. */
class DuckdbPartnerStore implements PartnerStore {
  private readonly file: DuckdbFile;

  constructor(config: DuckdbPartnerStoreConfig) {
    this.file = new DuckdbFile(config.path, SCHEMA, "DuckdbPartnerStore");
  }

  start(): Promise<void> {
    return this.file.open();
  }

  close(): Promise<void> {
    return this.file.close();
  }

  async addAgreement(agreement: Agreement, secrets: AgreementSecrets): Promise<void> {
    checkAgreement(agreement, secrets);
    await this.write(async (c) => {
      const [taken] = await query(c, TAKEN, [text("id", agreement.id)]);
      if (taken) throw new AgreementInvalidError(`id ${agreement.id} is taken`);
      await query(c, INSERT, insertParams(agreement, secrets));
    });
  }

  listAgreements(): Promise<Agreement[]> {
    return this.read(async (c) => (await query(c, LIST, [])).map(toAgreement));
  }

  async getAgreement(id: string): Promise<Agreement | undefined> {
    const [row] = await this.read((c) => query(c, ONE, [text("id", id)]));
    return row ? toAgreement(row) : undefined;
  }

  endAgreement(id: string, end: AgreementEnd): Promise<Agreement | undefined> {
    return this.write(async (c) => {
      await query(c, END, [
        text("id", id),
        num("ended_at", end.at),
        text("ended_by", end.by),
        text("end_reason", end.reason),
      ]);
      const [row] = await query(c, ONE, [text("id", id)]);
      return row ? toAgreement(row) : undefined;
    });
  }

  async findKey(id: string): Promise<PartnerKey | undefined> {
    const [row] = await this.read((c) => query(c, KEY, [text("id", id)]));
    if (!row) return undefined;
    return {
      agreement: toAgreement(row),
      keyHash: String(row.key_hash),
      pseudonymKey: String(row.pseudonym_key),
    };
  }

  private write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.write(job);
  }

  private read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.read(job);
  }
}

function insertParams(a: Agreement, s: AgreementSecrets): Param[] {
  return [
    text("id", a.id),
    text("partner", a.partner),
    text("purpose", a.purpose),
    text("legal_reference", a.legalReference),
    text("scope", JSON.stringify(a.scope)),
    optionalNum("data_from", a.dataFrom),
    optionalNum("data_to", a.dataTo),
    num("valid_from", a.validFrom),
    num("valid_to", a.validTo),
    { name: "pseudonymise", value: a.pseudonymise, type: BOOLEAN },
    text("created_by", a.createdBy),
    num("created_at", a.createdAt),
    text("key_hash", s.keyHash),
    text("pseudonym_key", s.pseudonymKey),
  ];
}

function toAgreement(row: Row): Agreement {
  const optional = <K extends string, T>(key: K, value: DuckDBValue | undefined, as: (v: DuckDBValue) => T) =>
    (value === null || value === undefined ? {} : { [key]: as(value) }) as Partial<Record<K, T>>;
  return {
    id: String(row.id),
    partner: String(row.partner),
    purpose: String(row.purpose),
    legalReference: String(row.legal_reference),
    scope: JSON.parse(String(row.scope)) as ScopeItem[],
    ...optional("dataFrom", row.data_from, Number),
    ...optional("dataTo", row.data_to, Number),
    validFrom: Number(row.valid_from),
    validTo: Number(row.valid_to),
    pseudonymise: row.pseudonymise === true,
    createdBy: String(row.created_by),
    createdAt: Number(row.created_at),
    ...optional("endedAt", row.ended_at, Number),
    ...optional("endedBy", row.ended_by, String),
    ...optional("endReason", row.end_reason, String),
  };
}

function text(name: string, value: string): Param {
  return { name, value, type: VARCHAR };
}

function num(name: string, value: number): Param {
  return { name, value: BigInt(Math.floor(value)), type: BIGINT };
}

function optionalNum(name: string, value: number | undefined): Param {
  return value === undefined ? { name, value: null, type: BIGINT } : num(name, value);
}

export function createDuckdbPartnerStore(config: DuckdbPartnerStoreConfig): PartnerStore {
  return new DuckdbPartnerStore(config);
}
