import type { WebhookStore } from "../index.js";

/** A `pg` Pool, or anything with `query(text, values)` that resolves to `{ rowCount, rows }`. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: Array<Record<string, unknown>> }>;
}

/** The receiver's store on PostgreSQL, shared by every instance; creates its table if missing. */
export class PostgresStore implements WebhookStore {
  constructor(pool: PgPoolLike, options?: { table?: string });
  claim(eventId: string, leaseMs: number): Promise<"claimed" | "done" | "busy">;
  renew(eventId: string, leaseMs: number): Promise<void>;
  complete(eventId: string): Promise<void>;
  release(eventId: string): Promise<void>;
}
