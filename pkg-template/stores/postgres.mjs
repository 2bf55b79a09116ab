// `PostgresStore`: the receiver's store on PostgreSQL, shared by every instance. Takes the
// caller's own `pg` Pool (or anything with `query(text, values)`); creates its table if
// missing. The claim is one atomic statement: an insert, or an update of a row whose lease has
// ended and that is not done.

export class PostgresStore {
  #pool;
  #table;
  #ready;

  /** `new PostgresStore(pool, { table = "zentitle_webhook_events" })`. */
  constructor(pool, { table = "zentitle_webhook_events" } = {}) {
    if (typeof pool?.query !== "function") throw new TypeError("new PostgresStore(pool): pool must be a pg Pool (or have query(text, values)).");
    if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new TypeError("PostgresStore: table must be a plain SQL identifier.");
    this.#pool = pool;
    this.#table = table;
  }

  #setUp() {
    this.#ready ??= this.#pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.#table} (
           event_id text PRIMARY KEY,
           state text NOT NULL,
           lease_until timestamptz NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      )
      .catch((error) => {
        this.#ready = undefined;
        throw error;
      });
    return this.#ready;
  }

  async claim(eventId, leaseMs) {
    await this.#setUp();
    const claimed = await this.#pool.query(
      `INSERT INTO ${this.#table} AS t (event_id, state, lease_until)
       VALUES ($1, 'running', now() + $2 * interval '1 millisecond')
       ON CONFLICT (event_id) DO UPDATE SET state = 'running', lease_until = EXCLUDED.lease_until, updated_at = now()
         WHERE t.state <> 'done' AND t.lease_until < now()
       RETURNING event_id`,
      [eventId, leaseMs],
    );
    if (claimed.rowCount === 1) return "claimed";
    const found = await this.#pool.query(`SELECT state FROM ${this.#table} WHERE event_id = $1`, [eventId]);
    return found.rows[0]?.state === "done" ? "done" : "busy";
  }

  async renew(eventId, leaseMs) {
    await this.#pool.query(`UPDATE ${this.#table} SET lease_until = now() + $2 * interval '1 millisecond' WHERE event_id = $1 AND state = 'running'`, [
      eventId,
      leaseMs,
    ]);
  }

  async complete(eventId) {
    await this.#pool.query(`UPDATE ${this.#table} SET state = 'done', updated_at = now() WHERE event_id = $1`, [eventId]);
  }

  async release(eventId) {
    await this.#pool.query(`DELETE FROM ${this.#table} WHERE event_id = $1 AND state = 'running'`, [eventId]);
  }
}
