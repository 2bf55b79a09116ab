// The receiver's flow for one verified event, the same for every adapter (Fetch, Node,
// `receive`): decide whether any handler runs, claim the event in the store, run the handlers
// under a lease that is renewed and fenced, then complete or release it — and say exactly what
// happened. Every path that does not end in "processed" or "duplicate" goes to the reporter.
//
// What each answer means for the event (docs/receiver.md has the table):
// - 200 processed: the handlers ran to the end while this instance held the lease, and the
//   store recorded the event as done.
// - 5xx: the event is not recorded as done; Zentitle's retry runs it (again, if the handlers had
//   run: `handlersRan` in the report says so).
import { EVENT_CODES } from "../event-codes.mjs";
import { receiverError } from "../errors.mjs";
import { Lease, monotonicNow } from "./lease.mjs";

const KNOWN = new Set(EVENT_CODES);

/** Status of each outcome. */
export const STATUS = {
  processed: 200,
  duplicate: 200,
  unhandled: 200,
  busy: 409,
  unfit: 500,
  failed: 500,
  timeout: 503,
  lease_lost: 503,
  store_error: 503,
};

/**
 * Processes one verified event: `{ status, outcome, code?, eventId }`; never throws.
 * `mismatch`: why the payload does not fit its code's type (undefined when it fits).
 */
export async function processEvent(event, mismatch, { store, handlers, reporter, leaseMs, handlerTimeoutMs, storeTimeoutMs }) {
  const eventId = event.eventId;
  const eventCode = event.eventCode;
  const known = KNOWN.has(eventCode);
  const about = { eventId, eventCode };
  const finish = async (outcome, code, message, extra = {}) => {
    const status = STATUS[outcome];
    const { cause, hint, ...info } = extra;
    if (code !== undefined) {
      const error = receiverError(code, message, { outcome, status, eventId, hint, cause });
      await reporter.report(error, { outcome, code, ...about, ...info });
    }
    return { status, outcome, code, eventId };
  };

  // A payload that does not fit the type its code's handlers were written for: they are not
  // called with it, and it is not answered 200, so that the event is still there (Zentitle
  // retries it) once the receiver is fixed.
  if (mismatch !== undefined && handlers.hasTyped(eventCode)) {
    return finish(
      "unfit",
      "payload_mismatch",
      "The event is authentic but its payload does not fit the type of its code, so its on(code) handlers were not run; answered 500 so that Zentitle retries it.",
      { hint: mismatch },
    );
  }
  if (!handlers.handles(eventCode)) {
    return finish("unhandled", "no_handler", "No handler is registered for this event code (on(code) or onAny); answered 200 and not run.");
  }

  const call = (run, timeoutMs) => bounded(run, timeoutMs);
  // A lease call (claim, renew) answered later than a third of the lease would leave too little
  // of it: it counts as the store being slow.
  const leaseCallMs = Math.min(storeTimeoutMs, Math.max(1, Math.floor(leaseMs / 3)));
  const sentAt = monotonicNow();
  let claim;
  try {
    claim = readClaim(await call(() => store.claim(eventId, leaseMs), leaseCallMs));
  } catch (error) {
    return finish("store_error", "store_unavailable", `The store's claim() failed or did not answer within ${leaseCallMs} ms; nothing ran.`, {
      cause: error,
      handlersRan: false,
    });
  }
  if (claim.state === "done") return { status: STATUS.duplicate, outcome: "duplicate", eventId };
  if (claim.state === "busy") {
    return finish("busy", "event_in_progress", "Another instance holds this event's lease now; answered 409 so that Zentitle retries later.");
  }

  const lease = new Lease({ store, eventId, token: claim.token, leaseMs, callTimeoutMs: leaseCallMs, call, sentAt });
  // The claim's answer came late (a slow link, a blocked event loop): renew before running.
  if (!lease.holdsFor((leaseMs * 2) / 3) && !(await lease.renewNow())) {
    lease.stop();
    return leaseLost(finish, lease.lost, undefined, false);
  }
  const ctx = Object.freeze({
    // Reading the signal checks the lease's clock first: a handler that was paused past its
    // lease (a blocked event loop) finds it aborted before its next side effect, even before
    // any timer has had a chance to run.
    get signal() {
      lease.checkClock();
      return lease.signal;
    },
    idempotencyKey: eventId,
    eventId,
    eventCode,
    attempt: event.callAttempt,
    typed: mismatch === undefined && known,
    known,
    mismatch,
  });
  const ran = await runBounded(() => handlers.run(event, ctx), lease, handlerTimeoutMs);

  if (ran.threw) {
    lease.stop();
    if (lease.lost !== undefined) return leaseLost(finish, lease.lost, ran.error, "partly");
    let released = false;
    try {
      released = (await call(() => store.release(eventId, claim.token), storeTimeoutMs)) === true;
    } catch {
      // The lease runs out by itself; the retry runs the event then.
    }
    return finish("failed", "handler_failed", "A handler threw; the event was not recorded as done, so Zentitle's retry runs it again.", {
      cause: ran.error,
      handlersRan: "partly",
      released,
    });
  }
  if (ran.timedOut) {
    lease.stop("timeout");
    // What is left of the lease is cut to a grace period: a handler that honours ctx.signal
    // stops within it, and a retry can run the event soon after.
    await lease.shorten(Math.min(leaseMs, GRACE_MS));
    return finish(
      "timeout",
      "handler_timeout",
      `The handlers did not finish within handlerTimeoutSeconds (${handlerTimeoutMs / 1000} s); ctx.signal was aborted and the event was not recorded as done.`,
      { handlersRan: "partly" },
    );
  }
  lease.stop();
  if (lease.lost !== undefined) return leaseLost(finish, lease.lost, undefined, ran.lost ? "partly" : true);
  let completed;
  try {
    completed = await call(() => store.complete(eventId, claim.token), storeTimeoutMs);
  } catch (error) {
    return finish(
      "store_error",
      "store_unavailable",
      "The handlers ran, but the store's complete() failed or did not answer in time: the event is not recorded as done, so Zentitle's retry runs it again (make side effects idempotent with ctx.idempotencyKey).",
      { cause: error, handlersRan: true },
    );
  }
  if (completed !== true) return leaseLost(finish, "expired_or_taken", undefined, true);
  return { status: STATUS.processed, outcome: "processed", eventId };
}

/** How long a timed-out handler keeps the event before a retry may run it elsewhere. */
const GRACE_MS = 5000;

const WHY_LOST = {
  renew_failed: "a renewal of the event's lease failed or did not answer in time",
  taken: "the store refused a renewal: another instance holds the event now",
  expired: "the lease's time ran out before a renewal arrived (the event loop was blocked, or the store slow)",
  expired_or_taken: "the store refused complete(): the lease had run out or another instance holds the event",
};

function leaseLost(finish, reason, cause, handlersRan) {
  const why = WHY_LOST[reason] ?? "the event's lease was lost";
  const ran = handlersRan === true ? "The handlers had finished" : handlersRan === false ? "No handler ran" : "The handlers had not finished";
  return finish("lease_lost", "lease_lost", `Not recorded as done: ${why}. ${ran}; the retry (or the other instance) runs the event.`, {
    cause,
    handlersRan,
    leaseLost: reason,
  });
}

/** The handlers' promise, raced against the lease being lost and the handler timeout. */
function runBounded(run, lease, timeoutMs) {
  return new Promise((resolve) => {
    let timer;
    const done = (result) => {
      clearTimeout(timer);
      lease.signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onAbort = () => done({ threw: false, lost: true });
    timer = setTimeout(() => done({ timedOut: true }), timeoutMs);
    lease.signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve()
      .then(run)
      .then(
        () => done({ threw: false }),
        (error) => done({ threw: true, error }),
      );
  });
}

/** `run()`'s promise, or a rejection once `timeoutMs` passed. */
function bounded(run, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The store did not answer within ${timeoutMs} ms.`)), timeoutMs);
  });
  return Promise.race([Promise.resolve().then(run), timeout]).finally(() => clearTimeout(timer));
}

/** The store's claim answer, checked: a store of the older, unfenced contract is an error. */
function readClaim(answer) {
  const state = typeof answer === "object" && answer !== null ? answer.state : undefined;
  if (state === "done" || state === "busy") return { state };
  if (state === "claimed" && typeof answer.token === "string" && answer.token.length > 0) return { state, token: answer.token };
  throw new TypeError(
    'The store\'s claim() must resolve to { state: "claimed", token } | { state: "done" } | { state: "busy" } (the fenced store contract: docs/stores.md).',
  );
}
