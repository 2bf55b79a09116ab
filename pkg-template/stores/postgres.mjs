// `PostgresStore`: the receiver's store on PostgreSQL, shared by every instance. Takes the
// caller's own `pg` Pool (or anything with `query(text, values)`); give it a small pool of its
// own, so that lease renewals never queue behind the application's queries.
//
// One row per event: while an instance holds the lease, its random token and the lease's end;
// once processed, state "done" until `doneSeconds` have passed. Every statement is atomic and
// names the token in its WHERE, with lease ends compared to the database's clock (`now()`),
// so that a stale instance can never renew, complete or release a lease another one holds,
// whatever the instances' clocks say. Expired rows are deleted in small batches as claims
// come. The table is created at first use if missing (`createTable: false` to never try), or
// ahead with `ensureTable()` or the SQL in docs/stores.md; then a role with SELECT, INSERT,
// UPDATE and DELETE on the table is enough.
import { checkEventId, checkToken, leaseToken, readDoneSeconds, readLeaseMs, readStoreOptions, storageKey, typeError } from "../lib/store-shared.mjs";

const WHAT = "new PostgresStore(pool, options)";
/** Rows deleted at most per sweep, and the pause between sweeps (shorter while rows remain). */
const SWEEP_ROWS = 500;
const SWEEP_EVERY_MS = 60_000;
/** SQLSTATEs of a concurrent CREATE of the same table or index, which the loser may ignore. */
const CREATED_CONCURRENTLY = new Set(["23505", "42P07", "42710", "42701"]);

export class PostgresStore {
  #pool;
  #table;
  #index;
  #doneSeconds;
  #createTable;
  #ready;
  #nextSweep = 0;

  /** `new PostgresStore(pool, { table = "zentitle_webhook_events", doneSeconds = 604800, createTable = true })`. */
  constructor(pool, options) {
    let query;
    try {
      query = pool?.query;
    } catch (error) {
      throw typeError(`${WHAT}: reading the pool threw an exception (see error.cause).`, error);
    }
    if (typeof query !== "function") throw typeError(`${WHAT}: pool must be a pg Pool (or have query(text, values)).`);
    const o = readStoreOptions(options, ["table", "doneSeconds", "createTable"], WHAT);
    const table = o.table ?? "zentitle_webhook_events";
    if (typeof table !== "string" || !/^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/i.test(table)) {
      throw typeError(`${WHAT}: table must be a plain SQL identifier, optionally schema-qualified (schema.table).`);
    }
    if (o.createTable !== undefined && typeof o.createTable !== "boolean") throw typeError(`${WHAT}: createTable must be true or false.`);
    this.#pool = pool;
    this.#table = table;
    this.#index = `${table.split(".").pop()}_lease_until`;
    this.#doneSeconds = readDoneSeconds(o.doneSeconds, WHAT);
    this.#createTable = o.createTable ?? true;
  }

  /**
   * Creates the table and its index if missing (for a role that may create them: run it once
   * at deployment, or let the first claim do it). Safe to run from many instances at once.
   */
  async ensureTable() {
    if ((await this.#probe()) === "ready") return;
    await this.#createConcurrently(
      `CREATE TABLE IF NOT EXISTS ${this.#table} (
         event_id text PRIMARY KEY,
         token text,
         state text NOT NULL,
         lease_until timestamptz NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    await this.#createConcurrently(`CREATE INDEX IF NOT EXISTS ${this.#index} ON ${this.#table} (lease_until)`);
  }

  async claim(eventId, leaseMs) {
    checkEventId(eventId, "PostgresStore.claim");
    const ms = readLeaseMs(leaseMs, "PostgresStore.claim");
    await this.#setUp();
    const token = leaseToken();
    // One statement: take the row if it is absent or its lease (or done mark) has ended; else
    // read what holds it, as the statement's snapshot saw it (nothing: it ended just now).
    const result = await this.#pool.query(
      `WITH claimed AS (
         INSERT INTO ${this.#table} AS t (event_id, token, state, lease_until, updated_at)
         VALUES ($1, $2, 'running', now() + $3::bigint * interval '1 millisecond', now())
         ON CONFLICT (event_id) DO UPDATE
           SET token = EXCLUDED.token, state = 'running', lease_until = EXCLUDED.lease_until, updated_at = now()
           WHERE t.lease_until <= now()
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM claimed)::int AS claimed,
              (SELECT state FROM ${this.#table} WHERE event_id = $1 AND lease_until > now()) AS state`,
      [await storageKey(eventId), token, ms],
    );
    this.#sweepNow();
    const row = result.rows[0];
    if (Number(row?.claimed) === 1) return { state: "claimed", token };
    return { state: row?.state === "done" ? "done" : "busy" };
  }

  async renew(eventId, token, leaseMs) {
    checkEventId(eventId, "PostgresStore.renew");
    checkToken(token, "PostgresStore.renew");
    const ms = readLeaseMs(leaseMs, "PostgresStore.renew");
    await this.#setUp();
    const result = await this.#pool.query(
      `UPDATE ${this.#table} SET lease_until = now() + $3::bigint * interval '1 millisecond', updated_at = now()
       WHERE event_id = $1 AND token = $2 AND state = 'running' AND lease_until > now()`,
      [await storageKey(eventId), token, ms],
    );
    return result.rowCount === 1;
  }

  async complete(eventId, token) {
    checkEventId(eventId, "PostgresStore.complete");
    checkToken(token, "PostgresStore.complete");
    await this.#setUp();
    const result = await this.#pool.query(
      `UPDATE ${this.#table} SET state = 'done', token = NULL, lease_until = now() + $3::bigint * interval '1 second', updated_at = now()
       WHERE event_id = $1 AND token = $2 AND state = 'running' AND lease_until > now()`,
      [await storageKey(eventId), token, this.#doneSeconds],
    );
    return result.rowCount === 1;
  }

  async release(eventId, token) {
    checkEventId(eventId, "PostgresStore.release");
    checkToken(token, "PostgresStore.release");
    await this.#setUp();
    const result = await this.#pool.query(`DELETE FROM ${this.#table} WHERE event_id = $1 AND token = $2 AND state = 'running' AND lease_until > now()`, [
      await storageKey(eventId),
      token,
    ]);
    return result.rowCount === 1;
  }

  /** Once per store (again after a failure): the table is there, or made (`createTable`). */
  #setUp() {
    this.#ready ??= (this.#createTable ? this.ensureTable() : this.#probe().then((found) => found === "ready" || this.#missing())).catch((error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** `"ready"` if the table has the store's columns, `"missing"` if there is no table. */
  async #probe() {
    try {
      await this.#pool.query(`SELECT event_id, token, state, lease_until FROM ${this.#table} LIMIT 0`);
      return "ready";
    } catch (error) {
      const code = sqlState(error);
      if (code === "42P01") return "missing";
      if (code === "42703") {
        throw storeError(
          `PostgresStore: the table ${this.#table} lacks the store's columns (event_id, token, state, lease_until): drop it, or give it a name of its own (table option).`,
          error,
        );
      }
      if (code === "42501") {
        throw storeError(
          `PostgresStore: this role may not read the table ${this.#table}: GRANT SELECT, INSERT, UPDATE, DELETE ON ${this.#table} TO it.`,
          error,
        );
      }
      throw error;
    }
  }

  #missing() {
    throw storeError(
      `PostgresStore: the table ${this.#table} does not exist and createTable is false: create it once with store.ensureTable(), or with the SQL in docs/stores.md.`,
    );
  }

  /** Runs a CREATE ... IF NOT EXISTS; another instance creating the same object at once is no error. */
  async #createConcurrently(sql) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#pool.query(sql);
        return;
      } catch (error) {
        const code = sqlState(error);
        if (CREATED_CONCURRENTLY.has(code) && attempt < 5) continue; // created meanwhile: IF NOT EXISTS now sees it
        if (code === "42501") {
          throw storeError(
            `PostgresStore: the table ${this.#table} does not exist and this role may not create it: create it once with store.ensureTable() as a role that may, or with the SQL in docs/stores.md.`,
            error,
          );
        }
        throw error;
      }
    }
  }

  /** Deletes a bounded batch of rows whose lease or done mark has ended, at most once a minute. */
  #sweepNow() {
    const now = Date.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_EVERY_MS;
    // The condition is on the deleted row itself too: a row claimed again meanwhile is kept.
    this.#pool
      .query(
        `DELETE FROM ${this.#table} WHERE lease_until < now()
           AND event_id IN (SELECT event_id FROM ${this.#table} WHERE lease_until < now() LIMIT ${SWEEP_ROWS})`,
      )
      .then(
        (result) => {
          if (result?.rowCount === SWEEP_ROWS) this.#nextSweep = 0; // more to delete: again at the next claim
        },
        () => {}, // tried again a minute later; the claims themselves report a store that is down
      );
  }
}

function sqlState(error) {
  try {
    return typeof error?.code === "string" ? error.code : undefined;
  } catch {
    return undefined;
  }
}

function storeError(message, cause) {
  const error = cause === undefined ? new Error(message) : new Error(message, { cause });
  error.code = "store_setup";
  return error;
}
