// `zentitle-webhooks listen`: a local endpoint for real Zentitle deliveries. Each one is
// verified, printed, optionally recorded and forwarded byte for byte to the app, and shown
// live in the www page's inbox, served at `/`.
//
// Routes: POST to any path is a delivery. GET / and the page's files serve the page. The
// inbox's own routes (/_zw/...) need the token printed at start-up, so that a tunnel that
// exposes this port does not expose the deliveries too.
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";

import { WebhookVerifier } from "../node.mjs";
import { deliveryJson, deliveryLine, forwardedHeaders, reportedOutcome, send, verdictOf } from "./delivery.mjs";

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
/** The page and what it imports: URL path -> file in the package. */
function staticFile(path) {
  if (path === "/" || path === "/index.html") return new URL("www/index.html", packageRoot);
  if (/^\/[a-z-]+\.(js|css)$/.test(path)) return new URL(`www${path}`, packageRoot);
  if (/^\/pkg\/([a-z-]+\.mjs|lib\/[a-z-]+\.mjs|wasm\/[a-z_]+\.wasm)$/.test(path)) return new URL(path.slice("/pkg/".length), packageRoot);
  // The packaged page's import map: the entries one level above www/.
  if (/^\/((testing-)?(browser|api)\.mjs|lib\/[a-z-]+\.mjs|wasm\/[a-z_]+\.wasm)$/.test(path)) return new URL(path.slice(1), packageRoot);
  return undefined;
}

/** The most deliveries the inbox keeps (the record file keeps them all). */
const INBOX_SIZE = 100;

/**
 * Starts the endpoint; resolves to `{ url, token, close() }` once it listens.
 * @param {object} o
 * @param {string | object} o.key the account's public key (any form the verifier takes)
 * @param {string} [o.keyText] the key as the user gave it, shown in the page
 * @param {number} o.port
 * @param {string} [o.host]
 * @param {string} [o.forwardTo]
 * @param {string} [o.record] a JSON-lines file to append each delivery to
 * @param {boolean} [o.json]
 * @param {number} [o.maxAgeSeconds]
 * @param {NodeJS.WritableStream} [o.out]
 */
export function listen({ key, keyText, port, host = "127.0.0.1", forwardTo, record: recordFile, json = false, maxAgeSeconds, out = process.stdout }) {
  const verifier = new WebhookVerifier({ key, maxAgeSeconds });
  const maxBodyBytes = 1024 * 1024;
  const token = randomBytes(12).toString("base64url");
  const inbox = [];
  const watchers = new Set();
  let count = 0;

  const publish = (record, event = "delivery") => {
    for (const res of watchers) res.write(`event: ${event}\ndata: ${JSON.stringify(record)}\n\n`);
  };

  async function delivery(req, res, path) {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > maxBodyBytes) {
        tooLarge = true;
        break;
      }
      chunks.push(chunk);
    }
    const body = tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks);
    const headers = forwardedHeaders(req.headers);
    const verdict = tooLarge
      ? { ok: false, code: "body_too_large", status: 413, message: `The body is over ${maxBodyBytes} bytes.` }
      : verdictOf(verifier.safeVerify(body, req.headers["n-signature"] ?? ""));
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
    res.writeHead(answer.status, answer.contentType ? { "content-type": answer.contentType } : {}).end(answer.text);
    appendRecord(record);
    out.write(`${json ? JSON.stringify(deliveryJson(record)) : deliveryLine(record)}\n`);
    inbox.push(record);
    if (inbox.length > INBOX_SIZE) inbox.shift();
    publish(record);
  }

  function appendRecord(entry) {
    if (!recordFile) return;
    const { id, time, method, path, headers, bodyBase64, verdict, status, forward } = entry;
    const { event, ...summary } = verdict;
    appendFileSync(recordFile, `${JSON.stringify({ id, time, method, path, headers, bodyBase64, verdict: summary, status, forward })}\n`);
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
        `${new Date().toISOString().slice(11, 23)}  re-sent delivery ${id} -> ${result.error ? `forward failed: ${result.error}` : `${result.status}${result.outcome ? ` ${result.outcome}` : ""}`}\n`,
      );
    publish(result, "resent");
    return sendJson(res, 200, result);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://listen.invalid");
    const path = url.pathname;
    try {
      if (path.startsWith("/_zw/")) {
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

function sendJson(res, status, value) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(value));
}
