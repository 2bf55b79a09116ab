// Typings of zentitle-webhooks/inbox/postgres: the durable inbox on PostgreSQL.
import type { Inbox, InboxAddResult, InboxClaim, InboxDelivery, InboxRecord, InboxState, InboxStats } from "../index.js";

/** A `pg` Pool, or anything with `query(text, values)` and `connect()` returning such clients. */
export interface PostgresInboxPool {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  connect(): Promise<{
    query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
    release(error?: Error | boolean): void;
  }>;
}

/** What `ctx` holds in handlers run from a PostgresInbox: the claim's transaction. */
export interface PostgresInboxContext {
  /** Runs a statement in the claim's transaction: it commits with the done mark, or not at all. */
  sql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  /** The pg client that holds the transaction (do not COMMIT, ROLLBACK or release it). */
  client: unknown;
}

/** The durable inbox on PostgreSQL: one row per eventId, claimed with FOR UPDATE SKIP LOCKED. */
export declare class PostgresInbox implements Inbox<PostgresInboxContext> {
  /** `new PostgresInbox(pool, { table = "zentitle_webhook_inbox" })`. */
  constructor(
    pool: PostgresInboxPool,
    options?: {
      table?: string;
      /** `false`: commit the handler's writes and the done mark without waiting for the disk (a server crash can lose the last finished work, writes and mark together, which then runs again). Default true. */
      synchronousCommit?: boolean;
    },
  );
  readonly kind: "postgres";
  /** The idempotent DDL of the table and its indexes, for a migration. */
  static schemaSql(table?: string): string;
  /** Creates the table and its indexes if missing (needs CREATE on the schema). */
  ensureSchema(): Promise<void>;
  add(record: InboxRecord): Promise<InboxAddResult>;
  claim(options?: { workerId?: string; leaseMs?: number; ordered?: boolean }): Promise<InboxClaim<PostgresInboxContext> | { deferred: true } | null>;
  stats(): Promise<InboxStats>;
  list(options?: { state?: InboxState; limit?: number }): Promise<InboxDelivery[]>;
  get(id: string): Promise<InboxDelivery | undefined>;
  retry(target: string | { dead?: boolean; unfit?: boolean }): Promise<number>;
  purge(options: { olderThanMs: number; states?: ("done" | "dead" | "unfit")[] }): Promise<number>;
}
