import type { StoreClaim, StoreDoneOptions, WebhookStore } from "../index.js";

/** A `pg` Pool (give the store a small one of its own), or anything with `query(text, values)` that resolves to `{ rowCount, rows }`. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: Array<Record<string, unknown>> }>;
}

export interface PostgresStoreOptions extends StoreDoneOptions {
  /** The table: a plain identifier, optionally schema-qualified. Default `"zentitle_webhook_events"`. */
  table?: string;
  /** Create the table at first use if it is missing. Default `true`; `false` for a role without CREATE (create it ahead). */
  createTable?: boolean;
}

/**
 * The receiver's store on PostgreSQL, shared by every instance: a row per event with the
 * lease's token in every `WHERE` and lease ends on the database's clock; expired rows deleted
 * in small batches. A role with SELECT, INSERT, UPDATE and DELETE on an existing table is enough.
 */
export class PostgresStore implements WebhookStore {
  /** @throws {TypeError} no `query` function; a wrong option. */
  constructor(pool: PgPoolLike, options?: PostgresStoreOptions);
  /** Creates the table and its index if missing; safe from many instances at once. */
  ensureTable(): Promise<void>;
  claim(eventId: string, leaseMs: number): Promise<StoreClaim>;
  renew(eventId: string, token: string, leaseMs: number): Promise<boolean>;
  complete(eventId: string, token: string): Promise<boolean>;
  release(eventId: string, token: string): Promise<boolean>;
}
