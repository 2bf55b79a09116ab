// A claimed event's lease while its handlers run: renewed at a third of its length, and the
// handlers' `ctx.signal` aborted the moment it can no longer be trusted — a renewal that the
// store refuses (another instance holds the event now), fails or does not answer in time, or
// the handler timeout. Once lost, the lease is never renewed, completed or released by this
// instance again: the store's token fencing would refuse it anyway, and the flow answers 503.

export class Lease {
  #store;
  #eventId;
  #token;
  #leaseMs;
  #callTimeoutMs;
  #timer;
  #controller = new AbortController();
  /** Why the lease can no longer be trusted: undefined while it holds. */
  lost;

  /** `call(promiseFactory, timeoutMs)` runs a store call bounded in time (the flow's). */
  constructor({ store, eventId, token, leaseMs, callTimeoutMs, call }) {
    this.#store = store;
    this.#eventId = eventId;
    this.#token = token;
    this.#leaseMs = leaseMs;
    this.#callTimeoutMs = callTimeoutMs;
    this.call = call;
    // A third of the lease: two renewals can fail to arrive before it runs out.
    this.#timer = setInterval(() => this.#renew(), Math.max(1, Math.floor(leaseMs / 3)));
    this.#timer.unref?.();
  }

  get signal() {
    return this.#controller.signal;
  }

  get token() {
    return this.#token;
  }

  /** Stops renewing; `reason` (if given) marks the lease lost and aborts the handlers. */
  stop(reason) {
    clearInterval(this.#timer);
    if (reason !== undefined) this.#lose(reason);
  }

  /** Shortens what is left of the lease to `ms` (the handler was abandoned: let a retry run soon). */
  async shorten(ms) {
    try {
      await this.call(() => this.#store.renew(this.#eventId, this.#token, ms), this.#callTimeoutMs);
    } catch {
      // The lease then runs out at its own end.
    }
  }

  #renewing = false;

  async #renew() {
    // One renewal at a time: a slow store must not pile them up.
    if (this.lost !== undefined || this.#renewing) return;
    this.#renewing = true;
    let held;
    try {
      held = await this.call(() => this.#store.renew(this.#eventId, this.#token, this.#leaseMs), this.#callTimeoutMs);
    } catch {
      this.stop("renew_failed");
      return;
    } finally {
      this.#renewing = false;
    }
    if (held !== true) this.stop("taken");
  }

  #lose(reason) {
    if (this.lost !== undefined) return;
    this.lost = reason;
    this.#controller.abort(new LeaseLostError(reason));
  }
}

/** The reason of an aborted `ctx.signal`: `"taken"`, `"renew_failed"` or `"timeout"`. */
export class LeaseLostError extends Error {
  constructor(reason) {
    super(
      reason === "timeout"
        ? "The handler timeout passed: the receiver stopped waiting for this handler."
        : "The event's lease was lost: another instance may run this event now. Stop its side effects.",
    );
    this.name = "AbortError";
    this.reason = reason;
  }
}
