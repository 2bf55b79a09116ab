// A claimed event's lease while its handlers run, and the handlers' `ctx.signal`.
//
// The lease is timed from when each store call was *sent*, not from when its answer arrived: a
// claim or renewal whose answer comes late has already used up part of the lease in the store.
// So this side keeps a conservative expiry (send time of the last successful claim or renewal +
// the lease), renews a third of a lease after each send (at once when that moment has passed),
// and gives each store call at most a third of the lease to answer. Two renewals can then fail
// to arrive before the store's lease runs out.
//
// The lease is lost — `ctx.signal` aborts and the flow answers 503 — when a renewal is refused
// (another instance holds the event), fails or does not answer in time, when the conservative
// expiry passes without a renewal (the event loop was blocked, the store is slow), or at the
// handler timeout. Once lost, it is never renewed, completed or released by this instance: the
// store's token fencing would refuse it anyway.

export class Lease {
  #store;
  #eventId;
  #token;
  #leaseMs;
  #callTimeoutMs;
  #call;
  #renewTimer;
  #expiryTimer;
  #renewing = false;
  #stopped = false;
  #controller = new AbortController();
  /** The latest moment (this clock) until which the store certainly holds the lease. */
  #expiresAt;
  /** Why the lease can no longer be trusted: undefined while it holds. */
  lost;

  /**
   * `sentAt`: `monotonicNow()` when the claim was sent. `call(run, timeoutMs)` runs a store call
   * bounded in time.
   */
  constructor({ store, eventId, token, leaseMs, callTimeoutMs, call, sentAt }) {
    this.#store = store;
    this.#eventId = eventId;
    this.#token = token;
    this.#leaseMs = leaseMs;
    this.#callTimeoutMs = callTimeoutMs;
    this.#call = call;
    this.#held(sentAt);
  }

  get signal() {
    return this.#controller.signal;
  }

  /** Whether the store certainly still holds the lease for `ms` more (by this side's clock). */
  holdsFor(ms) {
    return this.lost === undefined && this.#expiresAt - monotonicNow() >= ms;
  }

  /** Marks the lease lost (and aborts the signal) when its conservative expiry has passed. */
  checkClock() {
    if (this.lost === undefined && monotonicNow() >= this.#expiresAt) this.stop("expired");
  }

  /** Renews now (before the handlers start, when the claim's answer came late); false: lost. */
  async renewNow() {
    await this.#renew();
    return this.lost === undefined;
  }

  /** Stops renewing; `reason` (if given) marks the lease lost and aborts the handlers. */
  stop(reason) {
    this.#stopped = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#expiryTimer);
    if (reason !== undefined) this.#lose(reason);
  }

  /** Shortens what is left of the lease to `ms` (the handler was abandoned: let a retry run soon). */
  async shorten(ms) {
    try {
      await this.#call(() => this.#store.renew(this.#eventId, this.#token, ms), this.#callTimeoutMs);
    } catch {
      // The lease then runs out at its own end.
    }
  }

  /** A claim or renewal sent at `sentAt` succeeded: the next renewal and the watchdog follow from it. */
  #held(sentAt) {
    this.#expiresAt = sentAt + this.#leaseMs;
    if (this.#stopped) return;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#expiryTimer);
    const now = monotonicNow();
    this.#renewTimer = setTimeout(() => this.#renew(), Math.max(0, sentAt + this.#leaseMs / 3 - now));
    // The watchdog: past the conservative expiry with no renewal, the lease is not to be trusted.
    this.#expiryTimer = setTimeout(() => this.stop("expired"), Math.max(0, this.#expiresAt - now));
    this.#renewTimer.unref?.();
    this.#expiryTimer.unref?.();
  }

  async #renew() {
    // One renewal at a time: a slow store must not pile them up.
    if (this.lost !== undefined || this.#stopped || this.#renewing) return;
    this.#renewing = true;
    const sentAt = monotonicNow();
    let held;
    try {
      held = await this.#call(() => this.#store.renew(this.#eventId, this.#token, this.#leaseMs), this.#callTimeoutMs);
    } catch {
      this.stop("renew_failed");
      return;
    } finally {
      this.#renewing = false;
    }
    if (held !== true) this.stop("taken");
    else if (this.lost === undefined) this.#held(sentAt);
  }

  #lose(reason) {
    if (this.lost !== undefined) return;
    this.lost = reason;
    this.#controller.abort(new LeaseLostError(reason));
  }
}

/** Milliseconds on a clock that no wall-clock step moves. */
export const monotonicNow = typeof performance === "object" && typeof performance?.now === "function" ? () => performance.now() : () => Date.now();

/** The reason of an aborted `ctx.signal`: `"taken"`, `"renew_failed"`, `"expired"` or `"timeout"`. */
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
