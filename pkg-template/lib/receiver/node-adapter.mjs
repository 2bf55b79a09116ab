// The receiver as a Node handler `(req, res, next?)` for node:http, Express, Connect, Koa's
// `ctx.req` and Next.js API routes. It takes the raw body a framework kept (`req.rawBody`, or a
// Buffer/string `req.body` from `express.raw()`), or reads the request stream itself, counting
// bytes as they arrive and stopping at the limit. A parsed `req.body` is handed on as it is, so
// that the verifier refuses it with `body_not_raw` and the hint about re-serialised JSON.
import { answerBody } from "./fetch-adapter.mjs";

/** `receiver` supplies `receive`, `refuse(code, status)` and the body limit. */
export function nodeHandler({ receive, refuse, maxBodyBytes }) {
  return async (req, res) => {
    let result;
    let close = false;
    try {
      const method = typeof req?.method === "string" ? req.method.toUpperCase() : "POST";
      if (method !== "POST") {
        result = await refuse("method_not_allowed");
      } else {
        const body = await nodeBody(req, maxBodyBytes);
        result = await receive({ body, headers: req?.headers });
      }
    } catch (error) {
      if (error === TOO_LARGE) {
        close = true;
        result = await refuse("body_too_large");
      } else {
        // The request stream failed (the client went away mid-body): nothing to verify.
        result = await refuse("body_unreadable");
      }
    }
    try {
      res.statusCode = result.status;
      res.setHeader("content-type", "application/json");
      if (result.status === 405) res.setHeader("allow", "POST");
      // The rest of an oversized body is not read: the connection is closed after the answer.
      if (close) res.setHeader("connection", "close");
      res.end(JSON.stringify(answerBody(result)));
    } catch {
      // A response object that cannot be written: nothing else to do.
    }
  };
}

const TOO_LARGE = Symbol("too large");

async function nodeBody(req, limit) {
  const kept = req.rawBody ?? req.body;
  // Express 4 sets `req.body = {}` when no parser took the request (an app-wide
  // `express.urlencoded()` for another content type): the stream is then still unread.
  const emptyPlaceholder = isEmptyPlainObject(kept) && req.readableEnded === false && req._body !== true;
  if (kept !== undefined && kept !== null && !emptyPlaceholder) return kept;
  if (req.readableEnded) return undefined;
  const chunks = [];
  let size = 0;
  // Leaving the loop early must not destroy the socket: the 413 still has to be sent on it.
  const iterable = typeof req.iterator === "function" ? req.iterator({ destroyOnReturn: false }) : req;
  for await (const chunk of iterable) {
    size += chunk.length;
    if (size > limit) {
      req.pause?.();
      throw TOO_LARGE;
    }
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function isEmptyPlainObject(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.keys(value).length === 0;
}
