// The receiver's inbox mode, kept apart from its request flow: `accept` stores a verified
// delivery (raw body and N-Signature, so that workers verify it again) once per eventId and
// says what to answer; `startWorkers` runs the receiver's own handlers over the inbox through
// the engine-independent worker loop (inbox-worker.mjs).
import { readSignature } from "./read.mjs";
import { verifyWith, work } from "./inbox-worker.mjs";

/** Throws a TypeError unless `inbox` looks like an inbox (PostgresInbox, RedisInbox, …). */
export function checkInbox(inbox) {
  for (const method of ["add", "claim"]) {
    if (typeof inbox?.[method] !== "function")
      throw new TypeError(`options.inbox must have ${method}(): a PostgresInbox, a RedisInbox or another inbox (docs/inbox.md).`);
  }
  return inbox;
}

/**
 * Stores one verified delivery; resolves to the answer: 200 `stored` for the first copy, 200
 * `duplicate` for any later copy of the same eventId (whatever its state), 200 `parked` for an
 * authentic event whose payload does not fit its code (stored `unfit`, to retry after an
 * upgrade). Throws when the inbox could not confirm a durable write (the caller answers 503).
 */
export async function accept(inbox, { event, mismatch, body, headers }) {
  const signature = readSignature(headers);
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const result = await inbox.add({
    eventId: event.eventId,
    eventCode: event.eventCode,
    resourceId: event.resourceId,
    eventDate: event.eventDate,
    callAttempt: event.callAttempt,
    body: bytes,
    signature,
    state: mismatch === undefined ? "pending" : "unfit",
    error: mismatch === undefined ? undefined : `payload does not fit: ${mismatch}`,
  });
  const eventId = event.eventId;
  if (result?.added !== true) return { status: 200, eventId, outcome: "duplicate" };
  return mismatch === undefined ? { status: 200, eventId, outcome: "stored" } : { status: 200, eventId, outcome: "parked", code: "payload_mismatch" };
}

/**
 * Runs workers over the inbox until `options.signal` aborts: `dispatch(event, ctx)` runs the
 * receiver's handlers; `verifier` verifies each stored delivery again.
 */
export function startWorkers(inbox, verifier, dispatch, options = {}, onError) {
  if (typeof options !== "object" || options === null) throw new TypeError("work(options): options must be an object.");
  for (const name of ["inbox", "verify", "handle"]) {
    if (name in options) throw new TypeError(`work(): options.${name} is the receiver's own.`);
  }
  return work({ ...options, inbox, verify: verifyWith(verifier), handle: dispatch, onError: options.onError ?? onError });
}
