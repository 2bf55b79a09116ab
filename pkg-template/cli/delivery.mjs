// A received delivery as `listen` sees it, records it and `replay` re-sends it: the raw body
// bytes, the headers, and the verdict. Shared by cli/listen.mjs and cli/replay.mjs. What an
// unverified body claims is printed escaped (cli/escape.mjs).
import { escapeForTerminal } from "./escape.mjs";

/** Headers that belong to one connection, not to the request: never forwarded or replayed. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "host",
  "content-length",
]);

/**
 * Credentials a sender may attach: anyone can post to the endpoint, and forwarding them would
 * hand the app a stranger's session or token as if it came through its own front door. Kept
 * back unless asked (`listen --forward-secret-headers`).
 */
const SECRET = new Set(["cookie", "authorization", "x-api-key", "x-auth-token", "x-csrf-token", "x-xsrf-token"]);

/**
 * The headers to send on (forward, record, replay): every end-to-end header, values
 * unchanged, without the credential headers unless `secrets`.
 */
export function forwardedHeaders(headers, { secrets = false } = {}) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || (!secrets && SECRET.has(lower)) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

/** The verdict of `safeVerify`, as recorded and shown: no key, no body. */
export function verdictOf(result) {
  if (result.ok) {
    const { event } = result;
    return { ok: true, eventId: event.eventId, eventCode: event.eventCode, callAttempt: event.callAttempt, event };
  }
  const { code, status, message, hint, mismatch, bodyChange } = result;
  return { ok: false, code, status, message, hint, mismatch, bodyChange };
}

/** eventId, eventCode and callAttempt as the body claims them (for a refused delivery: unverified). */
export function claimed(body) {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString("utf8"));
    if (parsed && typeof parsed === "object") {
      const text = (v) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
      return { eventId: text(parsed.eventId), eventCode: text(parsed.eventCode), callAttempt: text(parsed.callAttempt) };
    }
  } catch {
    // not JSON: nothing claimed
  }
  return {};
}

/** eventId, eventCode, callAttempt of a recorded delivery: verified, or as its body claims them. */
const claimOf = (record) => (record.verdict.ok ? record.verdict : claimed(Buffer.from(record.bodyBase64, "base64")));

/** The diagnosis of a refusal in a few words: `mismatch: body (reserialized_json)`. */
export function diagnosisText(verdict) {
  if (!verdict.mismatch) return "";
  return `mismatch: ${verdict.mismatch}${verdict.bodyChange ? ` (${verdict.bodyChange})` : ""}`;
}

/**
 * One line for a delivery: time, eventCode, eventId, callAttempt, verdict and code, answer.
 * What the body claims is escaped: control characters are shown, never interpreted.
 */
export function deliveryLine(record) {
  const { verdict } = record;
  const claim = claimOf(record);
  const shown = (value) => (value === undefined ? "-" : escapeForTerminal(value));
  const time = record.time.slice(11, 23);
  const outcome = verdict.ok ? "verified" : `refused ${verdict.code}${verdict.mismatch ? ` [${diagnosisText(verdict)}]` : ""}`;
  const answer = record.forward ? ` -> ${record.forward.error ? `forward failed: ${shown(record.forward.error)}` : record.forward.status}` : "";
  return `${time}  ${shown(claim.eventCode)}  ${shown(claim.eventId)}  attempt ${shown(claim.callAttempt)}  ${outcome}  ${record.status}${answer}`;
}

/** The JSON object `--json` prints for a delivery. */
export function deliveryJson(record) {
  const { verdict } = record;
  const claim = claimOf(record);
  return {
    id: record.id,
    time: record.time,
    method: record.method,
    path: record.path,
    eventCode: claim.eventCode ?? null,
    eventId: claim.eventId ?? null,
    callAttempt: claim.callAttempt === undefined ? null : Number(claim.callAttempt),
    verified: verdict.ok,
    code: verdict.ok ? null : verdict.code,
    mismatch: verdict.mismatch ?? null,
    bodyChange: verdict.bodyChange ?? null,
    hint: verdict.hint ?? null,
    status: record.status,
    forwardStatus: record.forward?.status ?? null,
    forwardError: record.forward?.error ?? null,
  };
}

/**
 * What the app said it did, when it is a WebhookReceiver (or answers like one, `{ ok, outcome }`
 * or `{ ok: false, code }`): `"processed"`, `"duplicate"`, an error code; else `undefined`.
 */
export function reportedOutcome(answer) {
  if (typeof answer?.text !== "string" || !answer.text.startsWith("{") || answer.text.length > 4096) return undefined;
  try {
    const body = JSON.parse(answer.text);
    const said = body?.ok === false ? body.code : body?.outcome;
    return typeof said === "string" && /^[a-z_]{1,40}$/.test(said) ? said : undefined;
  } catch {
    return undefined;
  }
}

/** POSTs `body` with `headers` to `url`: `{ status, contentType, text }` or `{ error }`. */
export async function send(url, headers, body) {
  try {
    const response = await fetch(url, { method: "POST", headers, body, redirect: "manual" });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get("content-type") ?? undefined, text };
  } catch (error) {
    return { error: error.cause?.code ?? error.message };
  }
}
