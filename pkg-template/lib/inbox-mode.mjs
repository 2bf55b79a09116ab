// The receiver's inbox mode, kept apart from its request flow: `acceptDelivery` stores a
// verified delivery (raw body and N-Signature, so that workers verify it again) once per
// eventId and says what to answer; `startWorkers` runs the receiver's own handlers over the
// inbox through the engine-independent worker loop (inbox-worker.mjs), reporting through the
// receiver's one reporting path (onError, or one log line).
import { EVENT_CODES } from "./event-codes.mjs";
import { argumentError, receiverError } from "./errors.mjs";
import { verifyWith, work } from "./inbox-worker.mjs";
import { guard, readBody, readOptions, readSignature } from "./read.mjs";

const KNOWN = new Set(EVENT_CODES);
const WORK_OPTIONS = [
  "concurrency",
  "signal",
  "maxAttempts",
  "backoff",
  "ordered",
  "leaseSeconds",
  "handlerTimeoutSeconds",
  "pollSeconds",
  "workerId",
  "drain",
];

/** Throws a TypeError unless `inbox` looks like an inbox (PostgresInbox, RedisInbox, …). */
export function checkInbox(inbox) {
  guard("options.inbox", () => {
    for (const method of ["add", "claim"]) {
      if (typeof inbox?.[method] !== "function") {
        throw argumentError(`options.inbox has no ${method}() method: give a PostgresInbox, a RedisInbox or another inbox (docs/inbox.md).`);
      }
    }
  });
  return inbox;
}

/**
 * Stores one verified delivery and says what to answer: 200 `stored` for the first copy, 200
 * `duplicate` for any later copy of the same eventId (whatever its state), 503 `store_error`
 * (reported) when the inbox did not confirm a durable write within `timeoutMs`. Every authentic
 * delivery is stored, whether or not its payload fits: the workers decide (they park it
 * `unfit` when on(code) handlers need the type).
 */
export async function acceptDelivery(event, { inbox, body, headers, maxBodyBytes, timeoutMs, reporter }) {
  const eventId = event.eventId;
  try {
    const { bytes } = readBody(body, maxBodyBytes);
    const result = await bounded(
      () =>
        inbox.add({
          eventId,
          eventCode: event.eventCode,
          resourceId: event.resourceId,
          eventDate: event.eventDate,
          callAttempt: event.callAttempt,
          body: bytes,
          signature: readSignature(headers),
        }),
      timeoutMs,
    );
    return result?.added === true ? { status: 200, outcome: "stored", eventId } : { status: 200, outcome: "duplicate", eventId };
  } catch (cause) {
    const message = `The inbox's add() failed or did not answer within ${timeoutMs} ms: the delivery is not stored; answered 503 so that Zentitle retries it.`;
    const error = receiverError("store_unavailable", message, { outcome: "store_error", status: 503, eventId, cause });
    await reporter.report(error, { outcome: "store_error", code: "store_unavailable", eventId, eventCode: event.eventCode });
    return { status: 503, outcome: "store_error", code: "store_unavailable", eventId };
  }
}

/**
 * Runs workers over the inbox until `options.signal` aborts, with the receiver's handlers and
 * `ctx = { signal, idempotencyKey, eventId, eventCode, attempt, callAttempt, typed, known,
 * mismatch?, ...the inbox's own (PostgresInbox: sql, client) }`.
 */
export function startWorkers(options, { inbox, verifier, handlers, reporter }) {
  const chosen = readOptions(options, WORK_OPTIONS, "work(options)");
  const dispatch = async (event, base) => {
    const known = KNOWN.has(event.eventCode);
    const mismatch = base.mismatch;
    if (mismatch !== undefined && handlers.hasTyped(event.eventCode)) throw Object.assign(new Error("payload does not fit"), { park: true });
    if (!handlers.handles(event.eventCode)) return { unhandled: true };
    const ctx = Object.freeze({ ...base, eventCode: event.eventCode, typed: mismatch === undefined && known, known, mismatch });
    await handlers.run(event, ctx);
  };
  const report = (error, info) => {
    const { outcome, code = outcome, eventId } = info;
    const message = MESSAGES[outcome] ?? `Inbox worker: ${outcome}.`;
    const wrapped = receiverError(code, message, { outcome, eventId, cause: error });
    return reporter.report(wrapped, info);
  };
  return work({ ...chosen, inbox, verify: verifyWith(verifier), handle: dispatch, runUnfit: true, logger: null, onError: report });
}

const MESSAGES = {
  retry: "A handler failed in an inbox worker; the delivery is retried after a back-off.",
  dead: "A delivery failed maxAttempts times (or its stored bytes no longer verify): it is kept as dead; `zentitle-webhooks inbox retry` runs it again.",
  unfit: "The event is authentic but its payload does not fit the type of its code: parked as unfit; `inbox retry --unfit` runs it after an upgrade.",
  unhandled: "No handler is registered for this event code; the delivery is marked done without running.",
  lease_lost: "The delivery's lease ended before the worker finished: nothing of this run was recorded; another worker runs it.",
  inbox_error: "The inbox could not be read or written; the worker tries again.",
};

function bounded(run, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The inbox did not answer within ${timeoutMs} ms.`)), timeoutMs);
  });
  return Promise.race([Promise.resolve().then(run), timeout]).finally(() => clearTimeout(timer));
}
