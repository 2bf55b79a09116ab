// Compiled with `tsc --noEmit` by `make test`: the event union narrows on eventCode, and what
// must not compile is marked @ts-expect-error (tsc fails if such a line compiles after all).
import {
  WebhookVerificationError,
  WebhookVerifier,
  isKnownEventCode,
  parseEvent,
  type BodyChange,
  type KnownEventCode,
  type SignatureMismatch,
  type SeatPayload,
  type VerifyResult,
  type ZentitleEvent,
} from "zentitle-webhooks";

declare const body: Uint8Array;
declare const headers: Headers;

const verifier = new WebhookVerifier({ key: "modulus", maxAgeSeconds: 3600 });
// @ts-expect-error: de-duplication is the receiver's (its store), not a verifier option
void new WebhookVerifier({ key: "modulus", deduplicator: { remember: () => true } });
const event: ZentitleEvent = verifier.verify(body, headers, { now: Date.now() });

switch (event.eventCode) {
  case "entitlement.seat.activated": {
    const seatId: string = event.payload.seatId;
    const used: number | undefined = event.payload.seatsUsed;
    const payload: SeatPayload = event.payload;
    void [seatId, used, payload];
    break;
  }
  case "customer.created": {
    const id: string = event.payload.customerId;
    // @ts-expect-error a seat field on a customer event does not compile
    void event.payload.seatId;
    void id;
    break;
  }
  case "entitlement.expires7days":
  case "entitlement.maintenance.expires7days": {
    const days: number | undefined = event.payload.daysToExpire;
    const entitlementId: string = event.payload.entitlementId;
    void [days, entitlementId];
    break;
  }
  case "entitlement.usage.summary": {
    // No public shape: plain JSON.
    // @ts-expect-error the payload is not typed as an object with fields
    void event.payload.entitlementId;
    break;
  }
  default: {
    // Unknown codes reach this branch at run time.
    const code: string = event.eventCode;
    if (isKnownEventCode(code)) {
      const known: KnownEventCode = code;
      void known;
    }
  }
}

// @ts-expect-error customerId is required on customer payloads, and a string
const wrong: import("zentitle-webhooks").CustomerPayload = { customerId: 5 };
void wrong;

// @ts-expect-error not a known code
const notACode: KnownEventCode = "customer.deleted";
void notACode;

// @ts-expect-error a parsed object is not a raw body
verifier.verify({ eventId: "x" }, headers);

// @ts-expect-error key and keys together
new WebhookVerifier({ key: "a", keys: [{ id: "1", key: "b" }] });

const result: VerifyResult = verifier.safeVerify(body, headers);
if (result.ok) {
  const id: string | null = result.keyId;
  void id;
} else {
  const status: number = result.status;
  // @ts-expect-error no event on a failure
  void result.event;
  void status;
  const side: "body" | "key" | undefined = result.mismatch;
  const change: BodyChange | undefined = result.bodyChange;
  // @ts-expect-error the changes are a closed set
  const unknownChange: typeof result.bodyChange = "gzip";
  void [side, change, unknownChange];
}

try {
  parseEvent("{}");
} catch (error) {
  if (error instanceof WebhookVerificationError) {
    const code: "invalid_json" | "invalid_event" | (string & {}) = error.code;
    const mismatch: SignatureMismatch | undefined = error.mismatch;
    void [code, mismatch];
  }
}

async function handler(request: Request): Promise<Response> {
  const { event: e, rawBody, keyId } = await verifier.verifyRequest(request);
  void [rawBody, keyId];
  return new Response(e.eventId);
}
void handler;
