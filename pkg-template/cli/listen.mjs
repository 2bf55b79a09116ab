// `zentitle-webhooks listen`: a local endpoint for real Zentitle deliveries. Each one is
// verified, printed, optionally recorded and forwarded byte for byte to the app, and shown
// live in the www page's inbox, served at `/`.
//
// Routes: POST to any path is a delivery. GET / and the page's files serve the page. The
// inbox's own routes (/_zw/...) need the token printed at start-up, so that a tunnel that
// exposes this port does not expose the deliveries too, and a Host header that names this
// machine (see isInboxHost), so that a page elsewhere cannot reach them by DNS rebinding.
//
// It is meant to sit behind a public tunnel: a body is read up to 1 MiB and no further, what
// an unverified body claims is printed escaped, credential headers are not forwarded unless
// asked, the record file is private and bounded (record-file.mjs), and the inbox keeps a
// bounded number of deliveries.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { isIP } from "node:net";

import { WebhookVerifier } from "../node.mjs";
import { deliveryJson, deliveryLine, forwardedHeaders, reportedOutcome, send, verdictOf } from "./delivery.mjs";
import { escapeForTerminal, jsonForTerminal } from "./escape.mjs";
import { DEFAULT_RECORD_MAX_BYTES, openRecordFile } from "./record-file.mjs";

const packageRoot = new URL("../", import.meta.url);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".txt": "text/plain",
  ".pem": "text/plain",
};
/** The page and what it imports: URL path -> file in the package (lib/ and one folder below it). */
function staticFile(path) {
  if (path === "/" || path === "/index.html") return new URL("www/index.html", packageRoot);
  if (/^\/[a-z-]+\.(js|css)$/.test(path)) return new URL(`www${path}`, packageRoot);
  if (/^\/pkg\/([a-z-]+\.mjs|lib\/([a-z-]+\/)?[a-z-]+\.mjs|wasm\/[a-z_]+\.wasm)$/.test(path)) return new URL(path.slice("/pkg/".length), packageRoot);
  // The packaged page's import map: the entries one level above www/.
  if (/^\/((testing-)?(browser|api)\.mjs|lib\/([a-z-]+\/)?[a-z-]+\.mjs|wasm\/[a-z_]+\.wasm)$/.test(path)) return new URL(path.slice(1), packageRoot);
  return undefined;
}

/** The most deliveries the inbox keeps in memory, and the most body bytes among them. */
const INBOX_SIZE = 100;
const INBOX_BODY_BYTES = 16 * 1024 * 1024;
/** The largest delivery body read; more is answered 413 and not read. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts the endpoint; resolves to `{ url, token, close() }` once it listens.
 * @param {object} o
 * @param {string | object} o.key the account's public key (any form the verifier takes)
 * @param {string} [o.keyText] the key as the user gave it, shown in the page
 * @param {number} o.port
 * @param {string} [o.host]
 * @param {string} [o.forwardTo]
 * @param {string} [o.record] a JSON-lines file to append each delivery to (created 0600)
 * @param {number} [o.recordMaxBytes] the record file's bound (default 64 MiB): past it, it is
 *   moved to `FILE.1` and a new one started
 * @param {boolean} [o.forwardSecrets] forward and record Cookie, Authorization and the like
 * @param {boolean} [o.json]
 * @param {number} [o.maxAgeSeconds]
 * @param {NodeJS.WritableStream} [o.out]
 * @param {NodeJS.WritableStream} [o.err] where notices go (the record file's rotation)
 */
export function listen({
  key,
  keyText,
  port,
  host = "127.0.0.1",
  forwardTo,
  record: recordFile,
  recordMaxBytes = DEFAULT_RECORD_MAX_BYTES,
  forwardSecrets = false,
  json = false,
  maxAgeSeconds,
  out = process.stdout,
  err = process.stderr,
}) {
  const verifier = new WebhookVerifier({ key, maxAgeSeconds });
  const maxBodyBytes = MAX_BODY_BYTES;
  const token = randomBytes(12).toString("base64url");
  const recorder = recordFile
    ? openRecordFile(recordFile, { maxBytes: recordMaxBytes, notice: (text) => err.write(`zentitle-webhooks listen: ${text}\n`) })
    : undefined;
  const inbox = [];
  let inboxBodyBytes = 0;
  const watchers = new Set();
  let count = 0;

  const publish = (record, event = "delivery") => {
    for (const res of watchers) res.write(`event: ${event}\ndata: ${JSON.stringify(record)}\n\n`);
  };

  async function delivery(req, res, path) {
    const read = await readWithin(req, maxBodyBytes);
    const tooLarge = read.body === undefined;
    const body = tooLarge ? Buffer.alloc(0) : read.body;
    const headers = forwardedHeaders(req.headers, { secrets: forwardSecrets });
    const verdict = tooLarge
      ? { ok: false, code: "body_too_large", status: 413, message: `The body is over ${maxBodyBytes} bytes.` }
      : verdictOf(verifier.safeVerify(body, req.headers["n-signature"] ?? "", { diagnosis: "full" }));
    const record = {
      id: String(++count),
      time: new Date().toISOString(),
      method: req.method,
      path,
      headers,
      bodyBase64: body.toString("base64"),
      verdict,
      status: 0,
    };
    let answer = {
      status: verdict.ok ? 200 : 401,
      contentType: "application/json",
      text: JSON.stringify(verdict.ok ? { ok: true } : { ok: false, code: verdict.code }),
    };
    if (tooLarge) answer = { ...answer, status: 413 };
    else if (forwardTo) {
      const forwarded = await send(forwardTo, headers, body);
      record.forward = forwarded.error ? { error: forwarded.error } : { status: forwarded.status };
      answer = forwarded.error
        ? { status: 502, contentType: "text/plain", text: `zentitle-webhooks listen: ${forwardTo} did not answer (${forwarded.error})` }
        : forwarded;
    }
    record.status = answer.status;
    // The rest of a body over the limit is not read: the connection closes after the answer.
    if (tooLarge) res.once("finish", () => req.destroy());
    res
      .writeHead(answer.status, { ...(answer.contentType ? { "content-type": answer.contentType } : {}), ...(tooLarge ? { connection: "close" } : {}) })
      .end(answer.text);
    appendRecord(record);
    out.write(`${json ? jsonForTerminal(deliveryJson(record)) : deliveryLine(record)}\n`);
    inbox.push(record);
    inboxBodyBytes += record.bodyBase64.length;
    while (inbox.length > INBOX_SIZE || (inbox.length > 1 && inboxBodyBytes > INBOX_BODY_BYTES)) {
      inboxBodyBytes -= inbox.shift().bodyBase64.length;
    }
    publish(record);
  }

  function appendRecord(entry) {
    if (!recorder) return;
    const { id, time, method, path, headers, bodyBase64, verdict, status, forward } = entry;
    const { event, ...summary } = verdict;
    recorder.append(JSON.stringify({ id, time, method, path, headers, bodyBase64, verdict: summary, status, forward }));
  }

  async function resend(res, id) {
    const entry = inbox.find((r) => r.id === id);
    if (!entry) return sendJson(res, 404, { error: "No such delivery in the inbox." });
    if (!forwardTo) return sendJson(res, 409, { error: "Nothing to re-send to: start listen with --forward-to." });
    const forwarded = await send(forwardTo, entry.headers, Buffer.from(entry.bodyBase64, "base64"));
    const result = forwarded.error ? { id, error: forwarded.error } : { id, status: forwarded.status, outcome: reportedOutcome(forwarded) };
    entry.resent = result;
    if (!json)
      out.write(
        `${new Date().toISOString().slice(11, 23)}  re-sent delivery ${id} -> ${result.error ? `forward failed: ${escapeForTerminal(result.error)}` : `${result.status}${result.outcome ? ` ${escapeForTerminal(result.outcome)}` : ""}`}\n`,
      );
    publish(result, "resent");
    return sendJson(res, 200, result);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://listen.invalid");
    const path = url.pathname;
    try {
      if (path.startsWith("/_zw/")) {
        if (!isInboxHost(req.headers.host, host)) {
          return sendJson(res, 403, { error: "The inbox answers only under this machine's names (localhost, an IP address, or the --host given)." });
        }
        const given = url.searchParams.get("token") ?? req.headers["x-zw-token"];
        if (given !== token) return sendJson(res, 403, { error: "The inbox needs the token printed by listen." });
        if (req.method === "GET" && path === "/_zw/inbox") {
          return sendJson(res, 200, { key: keyText ?? (typeof key === "string" ? key : JSON.stringify(key)), forwardTo: forwardTo ?? null, deliveries: inbox });
        }
        if (req.method === "GET" && path === "/_zw/events") {
          res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
          res.write(": connected\n\n");
          watchers.add(res);
          req.on("close", () => watchers.delete(res));
          return;
        }
        const resendMatch = /^\/_zw\/resend\/(\d+)$/.exec(path);
        if (req.method === "POST" && resendMatch) return await resend(res, resendMatch[1]);
        return sendJson(res, 404, { error: "Unknown inbox route." });
      }
      if (req.method === "POST") return await delivery(req, res, path);
      if (req.method === "GET" || req.method === "HEAD") {
        const file = staticFile(path);
        if (!file) return res.writeHead(404, { "content-type": "text/plain" }).end("Not found. Zentitle deliveries are POSTs; the inbox is at /.");
        const data = await readFile(file);
        const type = TYPES[/\.[a-z]+$/.exec(file.pathname)?.[0]] ?? "application/octet-stream";
        return res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : data);
      }
      res.writeHead(405, { allow: "GET, POST" }).end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`zentitle-webhooks listen: ${error.message}`);
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      const base = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      resolve({
        url: base,
        token,
        inboxUrl: `${base}/?token=${token}`,
        close: () =>
          new Promise((done) => {
            for (const res of watchers) res.end();
            watchers.clear();
            recorder?.close();
            server.close(() => done());
            server.closeAllConnections?.();
          }),
        get deliveries() {
          return count;
        },
      });
    });
  });
}

/**
 * The body of `req`, counted as it arrives: `{ body }`, or `{}` once more than `maxBytes`
 * have arrived (reading stops there). Memory: one buffer, sized by Content-Length when it is
 * given and within the limit, else doubling up to the limit.
 */
function readWithin(req, maxBytes) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    let buffer = Buffer.allocUnsafe(Number.isSafeInteger(declared) && declared >= 0 && declared <= maxBytes ? declared : 16 * 1024);
    let length = 0;
    const done = (value) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      resolve(value);
    };
    const onData = (chunk) => {
      if (chunk.length > maxBytes - length) {
        req.pause();
        return done({});
      }
      if (length + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(buffer.length * 2, length + chunk.length)));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      chunk.copy(buffer, length);
      length += chunk.length;
    };
    const onEnd = () => done({ body: buffer.subarray(0, length) });
    const onError = (error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      reject(error);
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
  });
}

/**
 * Whether a request's Host names this machine: an IP address, `localhost` (or a name under
 * `.localhost`), or the host listen was bound to. A page on another site that rebinds its
 * own name to 127.0.0.1 sends that name, and is refused.
 */
export function isInboxHost(hostHeader, boundHost) {
  if (typeof hostHeader !== "string" || hostHeader === "") return false;
  let name;
  try {
    name = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name.replace(/^\[|\]$/g, "")) !== 0) return true;
  return name === String(boundHost).toLowerCase();
}

function sendJson(res, status, value) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(value));
}
