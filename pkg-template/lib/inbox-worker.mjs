// The inbox's worker loop, the same for every storage engine: claim a stored delivery, verify
// its stored bytes again with its stored signature (a row is never trusted as an event just
// because it is in the database), run the handlers with `ctx`, then mark it done, schedule a
// retry with exponential back-off and jitter, or park it as `dead` after `maxAttempts`.
// Nothing here knows SQL or Redis: an inbox is `claim({ workerId, leaseMs, ordered })`
// returning `null`, `{ deferred: true }` or `{ delivery, context, renew(), finish() }`.

const DEFAULTS = {
  concurrency: 1,
  maxAttempts: 12,
  leaseSeconds: 30,
  handlerTimeoutSeconds: 300,
  pollSeconds: 0.5,
};

/** `min(cap, base · 2^(attempt-1))`, then a random point in its upper half ("equal jitter"). */
export function backoffMs(attempt, { baseSeconds = 5, capSeconds = 3600 } = {}) {
  const ceiling = Math.min(capSeconds * 1000, baseSeconds * 1000 * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * A `verify` for `work()` over a WebhookVerifier: `{ event }`, or `{ event, mismatch }` for an
 * authentic event whose payload does not fit its code's type; throws for anything else.
 * `now` is when the delivery was received, so that the replay window is judged as it was then.
 */
export function verifyWith(verifier) {
  return (body, signature, { now } = {}) => {
    try {
      return { event: verifier.verify(body, signature, now === undefined ? undefined : { now }) };
    } catch (error) {
      if (error?.event !== undefined) return { event: error.event, mismatch: error.hint ?? "payload does not fit" };
      throw error;
    }
  };
}

/**
 * Runs workers until `signal` aborts; resolves when every in-flight delivery has finished.
 *
 *   work({ inbox, verify, handle, concurrency?, signal?, maxAttempts?, backoff?, ordered?,
 *          leaseSeconds?, handlerTimeoutSeconds?, pollSeconds?, logger?, onError?, workerId? })
 *
 * `verify(body, signature, { now })` returns `{ event, mismatch? }` or throws; `handle(event,
 * ctx)` runs the handlers and throws on failure. `backoff(attempt)` gives the delay in ms
 * before attempt + 1 (default `backoffMs`). A delivery whose payload does not fit its code is
 * parked `unfit` without running `handle`, unless `runUnfit` is set: then `handle` sees
 * `ctx.mismatch` and parks it by throwing an error with `park: true`. `handle` resolving to
 * `{ unhandled: true }` marks the delivery done with a note (no handler takes its code).
 * `drain: true` stops each lane when nothing is due (for alarms and scheduled jobs).
 */
export async function work(options) {
  const o = readWorkOptions(options);
  const workerId = o.workerId ?? `w-${randomHex(6)}`;
  const inFlight = new Set();
  const stop = o.signal;
  const lanes = [];
  for (let lane = 0; lane < o.concurrency; lane++) {
    lanes.push(
      (async () => {
        let idle = 0;
        while (!stop?.aborted) {
          let claim;
          try {
            claim = await o.inbox.claim({ workerId: `${workerId}-${lane}`, leaseMs: o.leaseMs, ordered: o.ordered });
          } catch (error) {
            log(o, "error", { outcome: "inbox_error", code: "inbox_unavailable", message: messageOf(error) });
            await o.report(error, { outcome: "inbox_error", code: "inbox_unavailable" });
            await sleep(Math.min(5000, o.pollMs * 2 ** Math.min(4, idle++)), stop);
            continue;
          }
          if ((claim === null || claim === undefined) && o.drain) break;
          if (claim === null || claim === undefined) {
            // Nothing due: wait a little (longer while idle, at most 4× the poll interval).
            await sleep(o.pollMs * Math.min(4, 1 + idle++ / 4) * (0.75 + Math.random() / 2), stop);
            continue;
          }
          idle = 0;
          if (claim.deferred) continue;
          const running = runDelivery(o, claim, stop);
          inFlight.add(running);
          await running;
          inFlight.delete(running);
        }
      })(),
    );
  }
  await Promise.all(lanes);
  await Promise.all(inFlight);
}

/** One claimed delivery, start to finish. Never throws. */
async function runDelivery(o, claim, stop) {
  const { delivery } = claim;
  const base = { eventId: delivery.eventId, attempt: delivery.attempts, id: delivery.id };
  if (delivery.attempts > o.maxAttempts) {
    // Claimed again after maxAttempts: every attempt that would have marked it dead ended with
    // its worker (killed, crashed, out of memory, or its lease lost). Not run again: dead, and
    // this claim is not counted as an attempt.
    const n = delivery.attempts - 1;
    const previous = delivery.lastError ? ` (the last error recorded: ${String(delivery.lastError).slice(0, 500)})` : "";
    const message =
      `its worker stopped (killed, crashed, out of memory, or its lease lost) before recording the outcome of its last attempt, ` +
      `and its ${n} attempts reached maxAttempts (${o.maxAttempts}): not run again${previous}`;
    await finish(
      o,
      claim,
      { state: "dead", error: message, refund: true },
      { ...base, attempt: n, outcome: "dead", code: "handler_failed" },
      new Error(message),
    );
    return;
  }
  let verified;
  try {
    verified = await o.verify(delivery.body, delivery.signature, { now: toMs(delivery.receivedAt) });
  } catch (error) {
    // The stored bytes no longer verify: changed in the database, or the key was replaced.
    const code = typeof error?.code === "string" ? error.code : "stored_delivery_invalid";
    await finish(o, claim, { state: "dead", error: `stored delivery refused: ${code}` }, { ...base, outcome: "dead", code: "stored_delivery_invalid" }, error);
    return;
  }
  const { event, mismatch } = verified;
  if (mismatch !== undefined && !o.runUnfit) {
    // Authentic, but its payload does not fit its code's type: parked, to retry after an upgrade.
    await finish(o, claim, { state: "unfit", error: `payload does not fit: ${mismatch}` }, { ...base, outcome: "unfit", code: "payload_mismatch" });
    return;
  }

  const controller = new AbortController();
  const onStop = () => controller.abort(reason("shutdown", "The worker is shutting down."));
  stop?.addEventListener("abort", onStop, { once: true });
  const ctx = {
    ...claim.context,
    signal: controller.signal,
    idempotencyKey: delivery.eventId,
    eventId: delivery.eventId,
    attempt: delivery.attempts,
    callAttempt: event.callAttempt,
    ...(mismatch === undefined ? {} : { mismatch }),
  };
  // Renew at a third of the lease; a lost or unrenewable lease aborts the handler's signal.
  const renewal = setInterval(
    () => {
      Promise.resolve()
        .then(() => claim.renew())
        .then(
          (held) => held || controller.abort(reason("lease_lost", "The delivery's lease was lost.")),
          () => controller.abort(reason("lease_lost", "The delivery's lease could not be renewed.")),
        );
    },
    Math.max(250, Math.floor(o.leaseMs / 3)),
  );
  renewal.unref?.();
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => {
      controller.abort(reason("handler_timeout", `The handlers did not finish within ${o.handlerTimeoutMs} ms.`));
      resolve("timeout");
    }, o.handlerTimeoutMs);
    timer.unref?.();
  });
  let outcome;
  try {
    outcome = await Promise.race([
      Promise.resolve()
        .then(() => o.handle(event, ctx))
        .then((result) => (result?.unhandled ? "unhandled" : "ok")),
      timedOut,
    ]);
  } catch (error) {
    outcome = error;
  } finally {
    clearTimeout(timer);
    clearInterval(renewal);
    stop?.removeEventListener("abort", onStop);
  }
  if ((outcome === "ok" || outcome === "unhandled") && typeof claim.check === "function") {
    // The handlers returned: can their work still be recorded? (PostgreSQL: a failed ctx.sql
    // statement that the handler caught leaves the transaction aborted.) If not, a failure.
    try {
      outcome = (await claim.check()) ?? outcome;
    } catch (error) {
      outcome = error;
    }
  }
  if (outcome === "ok") {
    await finish(o, claim, { state: "done" }, { ...base, outcome: "processed" });
    return;
  }
  if (outcome === "unhandled") {
    // No handler takes this event's code: done, kept with a note, and reported.
    const note = "no handler is registered for this event code: not run";
    await finish(o, claim, { state: "done", error: note }, { ...base, outcome: "unhandled", code: "no_handler" }, new Error(note));
    return;
  }
  if (outcome?.park === true) {
    // The handlers refused the payload (it does not fit its code's type): parked for a retry
    // after an upgrade.
    await finish(o, claim, { state: "unfit", error: `payload does not fit: ${mismatch}` }, { ...base, outcome: "unfit", code: "payload_mismatch" });
    return;
  }
  const abandoned = outcome === "timeout";
  const error = abandoned ? controller.signal.reason : outcome;
  const shutdown = stop?.aborted && controller.signal.reason?.code === "shutdown";
  if (shutdown) {
    // Stopped by the shutdown, not by a failure of its own: back to pending, attempt refunded.
    await finish(
      o,
      claim,
      { state: "pending", refund: true, abandon: abandoned, error: "interrupted by a worker shutdown" },
      { ...base, outcome: "interrupted" },
    );
    return;
  }
  const message = messageOf(error);
  if (delivery.attempts >= o.maxAttempts) {
    await finish(
      o,
      claim,
      { state: "dead", error: message, abandon: abandoned },
      { ...base, outcome: "dead", code: abandoned ? "handler_timeout" : "handler_failed" },
      error,
    );
  } else {
    const delayMs = o.backoff(delivery.attempts);
    await finish(
      o,
      claim,
      { state: "pending", error: message, delayMs, abandon: abandoned },
      { ...base, outcome: "retry", code: abandoned ? "handler_timeout" : "handler_failed", delayMs },
      error,
    );
  }
}

async function finish(o, claim, change, info, error) {
  let recorded;
  try {
    recorded = await claim.finish(change);
  } catch (failure) {
    log(o, "error", { ...info, outcome: "inbox_error", code: "inbox_unavailable", message: messageOf(failure) });
    await o.report(failure, { ...info, outcome: "inbox_error", code: "inbox_unavailable" });
    return;
  }
  if (!recorded) {
    // Our lease ended and another worker has the delivery: nothing of ours was recorded.
    log(o, "warn", { ...info, outcome: "lease_lost", code: "lease_lost" });
    await o.report(error ?? new Error("The delivery's lease was lost."), { ...info, outcome: "lease_lost", code: "lease_lost" });
    return;
  }
  if (info.outcome === "processed") {
    o.onDone?.(info);
    return;
  }
  log(o, info.outcome === "dead" || info.outcome === "unfit" ? "error" : "warn", { ...info, message: error === undefined ? change.error : messageOf(error) });
  if (error !== undefined || info.outcome === "unfit") await o.report(error ?? new Error(change.error), info);
}

function readWorkOptions(options) {
  if (typeof options !== "object" || options === null) throw new TypeError("work(options): options must be an object.");
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (typeof o.inbox?.claim !== "function") throw new TypeError("work(): options.inbox must be an inbox (PostgresInbox, RedisInbox, …).");
  if (typeof o.handle !== "function") throw new TypeError("work(): options.handle(event, ctx) must be a function.");
  if (typeof o.verify !== "function") throw new TypeError("work(): options.verify(body, signature, { now }) must be a function.");
  const whole = (name, min) => {
    if (!Number.isSafeInteger(o[name]) || o[name] < min) throw new TypeError(`work(): options.${name} must be a whole number ≥ ${min}.`);
  };
  const seconds = (name) => {
    if (typeof o[name] !== "number" || !(o[name] > 0) || !Number.isFinite(o[name]))
      throw new TypeError(`work(): options.${name} must be a positive number of seconds.`);
  };
  whole("concurrency", 1);
  whole("maxAttempts", 1);
  seconds("leaseSeconds");
  seconds("handlerTimeoutSeconds");
  seconds("pollSeconds");
  if (o.signal !== undefined && typeof o.signal?.addEventListener !== "function") throw new TypeError("work(): options.signal must be an AbortSignal.");
  if (o.backoff !== undefined && typeof o.backoff !== "function") throw new TypeError("work(): options.backoff(attempt) must return milliseconds.");
  const user = o.backoff;
  return {
    ...o,
    ordered: o.ordered === true,
    leaseMs: Math.ceil(o.leaseSeconds * 1000),
    handlerTimeoutMs: Math.ceil(o.handlerTimeoutSeconds * 1000),
    pollMs: Math.ceil(o.pollSeconds * 1000),
    backoff: user
      ? (attempt) => {
          const ms = Number(user(attempt));
          return Number.isFinite(ms) && ms >= 0 ? ms : backoffMs(attempt);
        }
      : (attempt) => backoffMs(attempt),
    report: async (error, info) => {
      if (typeof o.onError !== "function") return;
      try {
        await o.onError(error, info);
      } catch {
        // An error handler's own failure changes nothing.
      }
    },
  };
}

/** One line per refusal or failure: outcome, code, eventId, attempt; never a body or key. */
function log(o, level, info) {
  const logger = o.logger === undefined ? console : o.logger;
  if (logger === null || logger === false) return;
  const { outcome, code, eventId, attempt, delayMs, message } = info;
  const parts = [`zentitle-webhooks inbox: ${outcome}`];
  if (code) parts.push(`code=${code}`);
  if (eventId !== undefined) parts.push(`eventId=${JSON.stringify(eventId)}`);
  if (attempt !== undefined) parts.push(`attempt=${attempt}`);
  if (delayMs !== undefined) parts.push(`retryIn=${delayMs}ms`);
  if (message) parts.push(`error=${JSON.stringify(String(message).slice(0, 300))}`);
  try {
    (typeof logger === "function" ? logger : (logger[level] ?? logger.log)).call(logger, parts.join(" "));
  } catch {
    // A broken logger changes nothing.
  }
}

function reason(code, message) {
  return Object.assign(new Error(message), { name: "AbortError", code });
}

function messageOf(error) {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "a thrown value";
  }
}

function toMs(value) {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : Date.now();
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}
