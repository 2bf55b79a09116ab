// `PostgresInbox`: the durable inbox on PostgreSQL. The receiver stores each verified delivery
// as one row (raw body and signature, so that workers verify it again) and answers 200 once
// the insert has committed; workers claim rows with `FOR UPDATE SKIP LOCKED` and run the
// handlers inside a transaction that also writes the done mark, so that what a handler writes
// through `ctx.sql` commits together with "done" or not at all.
//
// A claim has two steps. First, in its own short transaction, the row becomes `running` with
// `attempts + 1`, a fresh lock token and a lease (`run_at` = now + lease): the attempt is
// counted even if the worker then dies, so a delivery that kills its worker ends `dead` after
// `maxAttempts` like any other failure. Then the claim's transaction locks the row again by its
// token (a row whose lease ran out and that another worker took is not ours any more) and
// holds that row lock while the handlers run: other workers skip the row (SKIP LOCKED); a
// worker that dies mid-transaction loses its connection, PostgreSQL rolls the transaction back
// (the handler's writes with it) and the row is claimed again when its lease has ended.
//
// Takes the caller's `pg` Pool (anything with `connect()` returning clients with
// `query(text, values)` and `release(error?)`). No DDL at run time: `ensureSchema()` or the
// migration SQL (`PostgresInbox.schemaSql()`, printed in docs/inbox.md) creates the table, so
// that a role with DML rights only works.

const STATES = ["pending", "running", "done", "dead", "unfit"];
const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i;
const COLUMNS =
  "id, event_id, event_code, resource_id, event_date, call_attempt, body, signature, state, attempts, run_at, locked_by, last_error, received_at, updated_at, finished_at";

export class PostgresInbox {
  #pool;
  #table;
  #name;

  #asyncDone;

  /**
   * `new PostgresInbox(pool, { table = "zentitle_webhook_inbox", synchronousCommit = true })`:
   * `pool` is a `pg` Pool. `synchronousCommit: false` commits each claim's transaction (the
   * handler's writes and the done mark) without waiting for the disk: a crash of the server can
   * then lose the last fraction of a second of finished work — the writes and the done mark
   * together, so those deliveries run again and the effects still happen once.
   */
  constructor(pool, { table = "zentitle_webhook_inbox", synchronousCommit = true } = {}) {
    if (typeof pool?.query !== "function" || typeof pool?.connect !== "function")
      throw new TypeError("new PostgresInbox(pool): pool must be a pg Pool (query() and connect()).");
    if (typeof table !== "string" || !IDENTIFIER.test(table))
      throw new TypeError("PostgresInbox: table must be a plain SQL identifier (optionally schema.table).");
    this.#pool = pool;
    this.#table = table;
    this.#name = table.split(".").pop();
    if (typeof synchronousCommit !== "boolean") throw new TypeError("PostgresInbox: synchronousCommit must be true or false.");
    this.#asyncDone = !synchronousCommit;
  }

  /** The engine's name, for logs and the CLI. */
  get kind() {
    return "postgres";
  }

  /** The DDL that creates the inbox's table and indexes (idempotent), for migrations. */
  static schemaSql(table = "zentitle_webhook_inbox") {
    if (typeof table !== "string" || !IDENTIFIER.test(table)) throw new TypeError("schemaSql(table): table must be a plain SQL identifier.");
    const name = table.split(".").pop();
    return `CREATE TABLE IF NOT EXISTS ${table} (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,            -- the eventId, with "\\" as "\\\\" and NUL as "\\0"
  event_code text NOT NULL,
  resource_id text NOT NULL,
  event_date timestamptz,
  call_attempt integer,
  body bytea NOT NULL,                      -- the raw body, exactly as signed
  signature text NOT NULL,                  -- the N-Signature header
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'dead', 'unfit')),
  attempts integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(), -- pending: not before; running: end of the lease
  locked_by text,
  lock_token text,
  last_error text,
  received_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS ${name}_ready ON ${table} (run_at, id) WHERE state IN ('pending', 'running');
CREATE INDEX IF NOT EXISTS ${name}_resource ON ${table} (resource_id, event_date, id) WHERE state IN ('pending', 'running');
CREATE INDEX IF NOT EXISTS ${name}_state ON ${table} (state, updated_at);
`;
  }

  /** Creates the table and indexes if missing (needs CREATE on the schema; tolerates a race). */
  async ensureSchema() {
    for (const statement of PostgresInbox.schemaSql(this.#table).split(";\n")) {
      if (statement.trim() === "") continue;
      try {
        await this.#pool.query(statement);
      } catch (error) {
        // Two processes creating the same table at once: one wins, the other sees a duplicate.
        if (error?.code !== "23505" && error?.code !== "42P07") throw error;
      }
    }
  }

  /**
   * Stores a verified delivery once per eventId: `{ added: true, id }` for the first copy,
   * `{ added: false, id, state }` for any later one. Resolves only once the row has committed.
   * `state` is "pending" (to run) or "unfit" (parked: its payload does not fit its code).
   */
  async add({ eventId, eventCode, resourceId, eventDate, callAttempt, body, signature, state = "pending", error }) {
    if (state !== "pending" && state !== "unfit") throw new TypeError('add(): state is "pending" or "unfit".');
    const values = [
      escapeText(eventId),
      escapeText(eventCode ?? ""),
      escapeText(resourceId ?? ""),
      validDate(eventDate),
      Number.isSafeInteger(callAttempt) ? callAttempt : null,
      toBuffer(body),
      escapeText(signature),
      state,
      error === undefined ? null : String(error),
    ];
    const inserted = await this.#query(
      `INSERT INTO ${this.#table} (event_id, event_code, resource_id, event_date, call_attempt, body, signature, state, last_error, finished_at)
       VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8, $9, CASE WHEN $8 = 'unfit' THEN now() END)
       ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      values,
    );
    if (inserted.rowCount === 1) return { added: true, id: String(inserted.rows[0].id) };
    const found = await this.#query(`SELECT id, state FROM ${this.#table} WHERE event_id = $1`, [values[0]]);
    const row = found.rows[0];
    return { added: false, id: row === undefined ? undefined : String(row.id), state: row?.state };
  }

  /**
   * Claims the next delivery that is due, or returns null. With `ordered`, only the earliest
   * unfinished delivery (by eventDate, then arrival) of its resourceId is eligible, and a
   * per-resource lock held by the claim's transaction keeps two events of one resource from
   * running at once. The claim holds a pool client until `finish()`.
   */
  async claim({ workerId = "worker", leaseMs = 30_000, ordered = false } = {}) {
    const token = randomToken();
    const t = this.#table;
    const order = ordered
      ? `AND NOT EXISTS (SELECT 1 FROM ${t} o WHERE o.resource_id = d.resource_id AND o.state IN ('pending', 'running') AND o.id <> d.id
           AND (o.event_date < d.event_date OR (o.event_date IS NOT DISTINCT FROM d.event_date AND o.id < d.id)
                OR (o.event_date IS NULL AND d.event_date IS NOT NULL)))`
      : "";
    const client = await this.#pool.connect();
    let held = true;
    const drop = (error) => {
      if (!held) return;
      held = false;
      client.release(error);
    };
    // Every value written into the statements below is ours (a hex token, a sanitised worker
    // id, whole numbers), so they go in one simple query each: one round trip per step.
    const worker = String(workerId)
      .replace(/[^A-Za-z0-9_.:-]/g, "_")
      .slice(0, 100);
    const lease = Math.max(1, Math.floor(Number(leaseMs) || 30_000));
    try {
      // Step 1 need not reach the disk before the handler runs: lost in a crash, the row is
      // simply pending again with its earlier count; the done mark's commit flushes it anyway.
      const results = await client.query(
        `BEGIN; SET LOCAL synchronous_commit TO OFF;
         UPDATE ${t} SET state = 'running', attempts = attempts + 1, lock_token = '${token}', locked_by = '${worker}',
           run_at = now() + ${lease} * interval '1 millisecond', updated_at = now()
         WHERE id = (SELECT d.id FROM ${t} d WHERE d.state IN ('pending', 'running') AND d.run_at <= now() ${order}
                     ORDER BY d.run_at, d.id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS}; COMMIT`,
      );
      const taken = results[2];
      if (taken.rowCount === 0) {
        drop();
        return null;
      }
      const row = taken.rows[0];
      const id = String(row.id).replace(/[^0-9]/g, "");
      // Step 2: the claim's transaction, holding the row lock (SELECT … FOR UPDATE: no new row
      // version), found by its token: a row whose lease ran out in between and that another
      // worker took is not ours any more.
      const resource = ordered ? `, pg_try_advisory_xact_lock(hashtext('${this.#name}'), hashtext(resource_id)) AS ok` : "";
      const relaxed = this.#asyncDone ? " SET LOCAL synchronous_commit TO OFF;" : "";
      const steps = await client.query(
        `BEGIN;${relaxed} SELECT id${resource} FROM ${t} WHERE id = ${id} AND lock_token = '${token}' FOR UPDATE; SAVEPOINT zentitle_handler`,
      );
      const locked = steps[this.#asyncDone ? 2 : 1];
      if (locked.rowCount === 0) {
        await client.query("ROLLBACK");
        drop();
        return null;
      }
      if (ordered && !locked.rows[0].ok) {
        // An event of this resource that started earlier is still running: this one waits.
        await client.query(
          `ROLLBACK; UPDATE ${t} SET state = 'pending', attempts = attempts - 1, lock_token = NULL, locked_by = NULL,
             run_at = now() + interval '100 milliseconds', updated_at = now() WHERE id = ${id} AND lock_token = '${token}'`,
        );
        drop();
        return { deferred: true };
      }
      return this.#claimed(client, row, token, drop);
    } catch (error) {
      // Whatever the connection's state, it is not reused: PostgreSQL rolls back what is open.
      drop(error instanceof Error ? error : new Error("claim failed"));
      throw error;
    }
  }

  #claimed(client, row, token, drop) {
    const t = this.#table;
    let open = true;
    const sql = (text, values) => {
      if (!open) return Promise.reject(new Error("ctx.sql was used after the handler finished: its transaction is over."));
      return client.query(text, values);
    };
    return {
      delivery: fromRow(row),
      context: { sql, client },
      /** The row lock is the lease while the transaction is open: nothing to renew. */
      renew: async () => open,
      /**
       * After the handlers returned: an Error when their transaction can no longer commit (a
       * statement sent through ctx.sql failed and the handler caught it), else undefined.
       */
      check: async () => {
        let failed;
        if (typeof client.getTransactionStatus === "function" && typeof client.getTransactionStatus() === "string") {
          failed = client.getTransactionStatus() === "E";
        } else {
          try {
            await client.query("SELECT 1");
            failed = false;
          } catch (error) {
            if (error?.code !== "25P02") throw error;
            failed = true;
          }
        }
        if (!failed) return undefined;
        return new Error(
          "a statement sent through ctx.sql (or ctx.client) failed and the handler returned normally: the transaction is aborted, " +
            "so nothing the handler wrote can commit. Let the error propagate, or run the statement inside its own SAVEPOINT.",
        );
      },
      /**
       * Ends the claim: "done" commits the handler's writes with the done mark; any other
       * state rolls them back first. `abandon` (a handler that did not settle) closes the
       * connection instead, so that nothing the handler still sends can land afterwards.
       * Returns false when the row was not ours any more (nothing written).
       */
      finish: async ({ state, error, delayMs = 0, refund = false, abandon = false }) => {
        if (!STATES.includes(state) || state === "running") throw new TypeError("finish(): unknown state");
        open = false;
        const values = [row.id, token, state, error === undefined ? null : String(error).slice(0, 4000), Math.max(0, Math.round(delayMs)), refund ? 1 : 0];
        const update = `UPDATE ${t} SET state = $3, last_error = $4, lock_token = NULL, locked_by = NULL,
            attempts = attempts - $6, run_at = now() + $5 * interval '1 millisecond', updated_at = now(),
            finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
          WHERE id = $1 AND lock_token = $2`;
        if (abandon) {
          drop(new Error("handler abandoned"));
          const done = await this.#query(update, values);
          return done.rowCount === 1;
        }
        try {
          if (state === "done" && error === undefined && !refund) {
            // One round trip: the done mark (raising division_by_zero when the row is not ours,
            // which aborts the transaction before COMMIT runs), then COMMIT.
            const id = String(row.id).replace(/[^0-9]/g, "");
            try {
              await client.query(
                `WITH u AS (UPDATE ${t} SET state = 'done', last_error = NULL, lock_token = NULL, locked_by = NULL, updated_at = now(), finished_at = now()
                   WHERE id = ${id} AND lock_token = '${token}' RETURNING 1)
                 SELECT 1 / (SELECT count(*)::int FROM u); COMMIT`,
              );
            } catch (failure) {
              if (failure?.code !== "22012") throw failure;
              await client.query("ROLLBACK");
              drop();
              return false;
            }
            drop();
            return true;
          }
          await client.query("ROLLBACK TO SAVEPOINT zentitle_handler");
          const done = await client.query(update, values);
          await client.query(done.rowCount === 1 ? "COMMIT" : "ROLLBACK");
          drop();
          return done.rowCount === 1;
        } catch (failure) {
          drop(failure instanceof Error ? failure : new Error("finish failed"));
          throw failure;
        }
      },
    };
  }

  /** Counts by state and the age of the oldest pending delivery, for metrics. */
  async stats() {
    const counts = await this.#query(`SELECT state, count(*)::int AS n FROM ${this.#table} GROUP BY state`);
    const oldest = await this.#query(
      `SELECT extract(epoch FROM now() - min(received_at))::float8 AS age FROM ${this.#table} WHERE state IN ('pending', 'running')`,
    );
    const stats = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const row of counts.rows) stats[row.state] = row.n;
    stats.oldestPendingSeconds = oldest.rows[0]?.age ?? null;
    return stats;
  }

  /** The newest deliveries (optionally of one state), without their bodies. */
  async list({ state, limit = 50 } = {}) {
    if (state !== undefined && !STATES.includes(state)) throw new TypeError(`list(): state is one of ${STATES.join(", ")}.`);
    const rows = await this.#query(
      `SELECT ${COLUMNS.replace("body, ", "")} FROM ${this.#table} WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC LIMIT $2`,
      [state ?? null, Math.max(1, Math.min(10_000, Math.floor(limit)))],
    );
    return rows.rows.map(fromRow);
  }

  /** One delivery by its row id or its eventId, with its body; undefined if unknown. */
  async get(id) {
    const rows = /^[0-9]{1,18}$/.test(String(id))
      ? await this.#query(`SELECT ${COLUMNS} FROM ${this.#table} WHERE id = $1`, [String(id)])
      : await this.#query(`SELECT ${COLUMNS} FROM ${this.#table} WHERE event_id = $1`, [escapeText(String(id))]);
    return rows.rows[0] === undefined ? undefined : fromRow(rows.rows[0]);
  }

  /**
   * Puts dead or unfit deliveries back to pending with their attempts reset: one (by row id or
   * eventId), or every dead one (`{ dead: true }`), or every unfit one (`{ unfit: true }`).
   * Returns how many were re-queued. A running or done delivery is never touched.
   */
  async retry(target) {
    const reset = `UPDATE ${this.#table} SET state = 'pending', attempts = 0, run_at = now(), last_error = NULL, finished_at = NULL, updated_at = now()`;
    let result;
    if (target?.dead || target?.unfit) {
      const states = [target.dead ? "dead" : null, target.unfit ? "unfit" : null].filter(Boolean);
      result = await this.#query(`${reset} WHERE state = ANY($1::text[])`, [states]);
    } else if (/^[0-9]{1,18}$/.test(String(target))) {
      result = await this.#query(`${reset} WHERE id = $1 AND state IN ('dead', 'unfit')`, [String(target)]);
    } else {
      result = await this.#query(`${reset} WHERE event_id = $1 AND state IN ('dead', 'unfit')`, [escapeText(String(target))]);
    }
    return result.rowCount;
  }

  /** Deletes finished deliveries older than `olderThanMs` (done; and dead/unfit when asked). */
  async purge({ olderThanMs, states = ["done"] }) {
    if (!(Number.isFinite(olderThanMs) && olderThanMs >= 0)) throw new TypeError("purge(): olderThanMs must be a number of milliseconds.");
    if (!Array.isArray(states) || states.some((s) => !["done", "dead", "unfit"].includes(s))) throw new TypeError("purge(): states are done, dead, unfit.");
    const result = await this.#query(`DELETE FROM ${this.#table} WHERE state = ANY($1::text[]) AND updated_at < now() - $2 * interval '1 millisecond'`, [
      states,
      olderThanMs,
    ]);
    return result.rowCount;
  }

  async #query(text, values) {
    try {
      return await this.#pool.query(text, values);
    } catch (error) {
      if (error?.code === "42P01") {
        throw new Error(
          `The inbox table ${this.#table} does not exist: run inbox.ensureSchema() once, or apply PostgresInbox.schemaSql() as a migration (docs/inbox.md).`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}

/** PostgreSQL text cannot hold NUL: "\" is stored as "\\" and NUL as "\0" (a reversible map). */
function escapeText(value) {
  return String(value).replace(/\\/g, "\\\\").replace(/\0/g, "\\0");
}

function unescapeText(value) {
  return value.replace(/\\([\\0])/g, (_, c) => (c === "0" ? "\0" : "\\"));
}

function validDate(value) {
  return typeof value === "string" && value.length <= 64 && Number.isFinite(Date.parse(value)) ? value : null;
}

function toBuffer(body) {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("add(): body must be the raw bytes (Uint8Array) or text.");
}

function fromRow(row) {
  const body = row.body === undefined ? undefined : new Uint8Array(row.body.buffer, row.body.byteOffset, row.body.byteLength);
  return {
    id: String(row.id),
    eventId: unescapeText(row.event_id),
    eventCode: unescapeText(row.event_code),
    resourceId: unescapeText(row.resource_id),
    eventDate: row.event_date instanceof Date ? row.event_date.toISOString() : (row.event_date ?? null),
    callAttempt: row.call_attempt,
    ...(body === undefined ? {} : { body, signature: unescapeText(row.signature) }),
    state: row.state,
    attempts: row.attempts,
    runAt: row.run_at,
    lockedBy: row.locked_by,
    lastError: row.last_error,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
