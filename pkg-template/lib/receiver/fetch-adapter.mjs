// The receiver over the Fetch API (Workers, Deno.serve, Bun.serve, Hono, Next.js route
// handlers): a `Request` in, a `Response` out. It reads the raw body itself, counting bytes as
// they arrive and stopping at the limit, so that a body without a Content-Length (chunked) costs
// no more memory than the limit. Refusals made here (405, 413) go through the receiver's one
// reporting path, as the flow's do.
import { readWithin } from "../bounded-body.mjs";
import { isOurs } from "../errors.mjs";
import { guard } from "../read.mjs";

/**
 * `receiver` supplies `receive({ body, headers })` and `refuse(code, hint?)` (reports, and
 * returns the result to answer).
 */
export async function handleFetch(request, { receive, refuse, maxBodyBytes }) {
  let method;
  let headers;
  let stream;
  let used;
  let declared;
  try {
    ({ method, headers, stream, used, declared } = guard("the request", () => {
      const headers = request.headers;
      const length = typeof headers?.get === "function" ? headers.get("content-length") : null;
      return { method: request.method, headers, stream: request.body, used: request.bodyUsed === true, declared: length === null ? NaN : Number(length) };
    }));
  } catch {
    return respond(await receive({ body: null, headers: undefined }));
  }
  if (typeof method === "string" && method.toUpperCase() !== "POST") return respond(await refuse("method_not_allowed"));
  if (declared > maxBodyBytes) return respond(await refuse("body_too_large"));
  if (used) {
    return respond(
      await refuse(
        "body_not_raw",
        "The request's body was already read before receiver.fetch(request): pass the request untouched (no request.json() or request.text() before it).",
      ),
    );
  }
  let body;
  try {
    body = await readWithin(stream, maxBodyBytes, declared);
  } catch (error) {
    // Over the limit (the stream is cancelled there), or a stream that failed mid-body.
    return respond(await refuse(isOurs(error) && error.code === "body_too_large" ? "body_too_large" : "body_unreadable"));
  }
  return respond(await receive({ body, headers }));
}

/** The answer body: `{ ok: true, outcome }` or `{ ok: false, code, outcome }`. */
export function answerBody(result) {
  return result.status >= 200 && result.status < 300 ? { ok: true, outcome: result.outcome } : { ok: false, code: result.code, outcome: result.outcome };
}

function respond(result) {
  const headers = { "content-type": "application/json" };
  if (result.status === 405) headers.allow = "POST";
  return new Response(JSON.stringify(answerBody(result)), { status: result.status, headers });
}
