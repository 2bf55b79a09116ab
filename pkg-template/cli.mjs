#!/usr/bin/env node
// npx zentitle-webhooks <command>: keys, signatures and realistic signed deliveries for
// testing a Zentitle webhook receiver; a local endpoint for real deliveries (listen), and their
// replay. `--help` on any command says more.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { ACCOUNT_HELP, account } from "./cli/account.mjs";
import { diagnosisText } from "./cli/delivery.mjs";
import { escapeForTerminal, jsonForTerminal } from "./cli/escape.mjs";
import { listen as startListening } from "./cli/listen.mjs";
import { readInputWithin } from "./cli/read-input.mjs";
import { replay as replayRecording } from "./cli/replay.mjs";
import { WEBHOOKS_HELP, registerSession, webhooks } from "./cli/webhooks.mjs";
import { apiErrorText, clientFromEnv } from "./cli/zentitle-env.mjs";
import { closest, didYouMean } from "./cli/suggest.mjs";
import { EVENT_CODES, WebhookVerificationError, WebhookVerifier, isKnownEventCode } from "./node.mjs";
import { buildSignedRequest, createSender, generateTestKeyPair, signPayload, tamperBody, tamperSignature } from "./testing-node.mjs";

const HELP = {
  main: `zentitle-webhooks: test tools for Zentitle2 webhook receivers

Usage: zentitle-webhooks <command> [options]

Commands:
  keygen    make a test RSA key pair (private PEM, public PEM, modulus, JWK)
  sign      sign a body like Zentitle: prints the N-Signature value
  verify    check a body and signature with a key: verdict, error code, exit status
  trigger   post realistic signed events to a local receiver (like \`stripe trigger\`)
  listen    receive real deliveries: verify, print, record, forward to your app, live inbox page
  replay    re-send recorded deliveries byte for byte to a URL
  work      run the handlers over a durable inbox (PostgreSQL or Redis), as a worker process
  inbox     see and repair a durable inbox: stats, list, show, retry, purge
  account   the Zentitle account's signing key (Management API)
  webhooks  the account's webhook listeners: list, create, delete, test; new event codes

Every command takes --help and --json; --version prints the version.

Example:
  zentitle-webhooks keygen --out test-keys
  zentitle-webhooks trigger entitlement.seat.activated --url http://127.0.0.1:3000/webhooks/zentitle --key test-keys/private.pem`,
  keygen: `Usage: zentitle-webhooks keygen [--bits 2048] [--out DIR [--force]] [--json]

Makes a throwaway RSA key pair. With --out, writes private.pem, public.pem, modulus.txt and
jwk.json to DIR (refusing to replace existing ones unless --force); otherwise prints them.
The modulus is the form the Zentitle UI shows.

Example:
  zentitle-webhooks keygen --out test-keys`,
  sign: `Usage: zentitle-webhooks sign --key private.pem [--body FILE | < body] [--json]

Prints the N-Signature value (RSASSA-PKCS1-v1_5, SHA-256, standard base64) of the body, read
from FILE or standard input, byte for byte.

Example:
  zentitle-webhooks sign --key test-keys/private.pem --body body.json`,
  verify: `Usage: zentitle-webhooks verify --key KEY --signature SIG [--body FILE | < body] [--json]
                               [--max-age SECONDS]

KEY is a file or a value: the modulus, a PEM or a JWK. Prints "valid" and the event, or the
error code and message; for invalid_signature, what the signature shows: "mismatch: body"
(this key signed other bytes: the body changed, and how, when it is a usual change) or
"mismatch: key" (another key signed it, or it is damaged). Exit status: 0 valid, 1 refused,
2 usage error.

Example:
  zentitle-webhooks verify --key test-keys/modulus.txt --signature "$SIG" --body body.json`,
  listen: `Usage: zentitle-webhooks listen --key KEY [--port 8787] [--host 127.0.0.1]
                               [--forward-to URL] [--record FILE] [--max-age SECONDS] [--json]
                               [--register URL [--events CODES] [--test]]
                               [--forward-secret-headers]

A local endpoint for real Zentitle deliveries: expose it with your own tunnel and register
its URL in Zentitle. Every POST (any path) is a delivery: it is verified with KEY and printed
(time, eventCode, eventId, callAttempt, verdict and error code, the answer). With
--forward-to, the body bytes and headers (N-Signature, content type...) go on unchanged to
your app and its answer goes back to Zentitle; without, verified deliveries get 200 and others
401. --record appends each delivery (raw body in base64, headers, time, verdict) to FILE as a
JSON line, for \`replay\`: the file is created private (0600), and past 64 MiB it is moved to
FILE.1 and a new one started. Cookie, Authorization and other credential headers a sender
attaches are neither forwarded nor recorded unless --forward-secret-headers. What an
unverified body claims is printed with control characters escaped. The live inbox, at the
URL printed (with its token), shows the last 100 deliveries as they arrive, with their event,
headers and diagnosis, and re-sends them on request. --json prints one JSON object per
delivery. Ctrl-C stops it.

--register URL subscribes URL (your tunnel's public URL) as a listener of the account through
the Management API for the session (to every code the account offers, or --events CODES) and
removes it when listen stops (Ctrl-C, SIGTERM); --test then asks Zentitle for its test event.
Without --key, the account's key is fetched from the Management API. Credentials come from
the environment: see \`zentitle-webhooks webhooks --help\`.

Example:
  zentitle-webhooks listen --key modulus.txt --forward-to http://127.0.0.1:3000/webhooks/zentitle
  zentitle-webhooks listen --register https://YOUR-TUNNEL/webhooks/zentitle --test`,
  account: ACCOUNT_HELP,
  webhooks: WEBHOOKS_HELP,
  replay: `Usage: zentitle-webhooks replay FILE --to URL [--event-id ID] [--json]

Re-sends the deliveries recorded in FILE (by listen --record) to URL, in order, byte for byte
with their original headers and N-Signature: to reproduce a failure against a fixed handler.
--event-id re-sends only that event's deliveries. Each line shows the answer's status and,
when the app is a WebhookReceiver, the outcome it reported (processed, duplicate) or its error
code. Exit status: 0 if every answer was a 2xx, else 1.

Example:
  zentitle-webhooks replay deliveries.jsonl --to http://127.0.0.1:3000/webhooks/zentitle`,
  trigger: `Usage: zentitle-webhooks trigger <eventCode> --url URL --key private.pem
                               [--count N] [--attempt N] [--retry N] [--tamper body|signature]
                               [--override JSON] [--json]

Posts realistic events, signed with the key, to the receiver at URL (loopback or your own
test host), and prints each answer. --tamper alters each delivery after signing (it must be
refused); --attempt sets callAttempt; --retry N delivers like Zentitle (the same eventId,
callAttempt counting up, re-signed, retried with back-off until a 2xx, N attempts at most);
--override merges JSON into the event
(e.g. '{"payload":{"seatsUsed":9}}'). A code close to a documented one ("customer.craeted") is
refused as a typo; other unknown codes are sent (Zentitle adds codes over time). Exit status: 0
if every delivery got a 2xx (or, with --tamper, a 4xx), else 1; 2 for a usage error.

Example:
  zentitle-webhooks trigger customer.created --url http://127.0.0.1:3000/webhooks/zentitle --key test-keys/private.pem`,
};

const [command, ...rest] = process.argv.slice(2);
const usage = (text, code = 2) => {
  (code === 0 ? process.stdout : process.stderr).write(text + "\n");
  process.exit(code);
};
if (command === "inbox" || command === "work") process.exit(await (await import("./cli/inbox.mjs")).main(command, rest));
if (!command || command === "--help" || command === "-h" || command === "help") usage(HELP.main, command ? 0 : 2);
if (command === "--version" || command === "-v" || command === "version") {
  const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
  usage(`zentitle-webhooks ${version}`, 0);
}
if (!Object.hasOwn(HELP, command) || command === "main") {
  const commands = Object.keys(HELP).filter((c) => c !== "main");
  usage(`Unknown command "${command}".${didYouMean(command, commands)}\n\n${HELP.main}`);
}
if (command === "account" || command === "webhooks") process.exit(await { account, webhooks }[command](rest));

const specs = {
  keygen: { bits: { type: "string" }, out: { type: "string" }, force: { type: "boolean" } },
  sign: { key: { type: "string" }, body: { type: "string" } },
  verify: { key: { type: "string" }, signature: { type: "string" }, body: { type: "string" }, "max-age": { type: "string" } },
  trigger: {
    url: { type: "string" },
    key: { type: "string" },
    count: { type: "string" },
    attempt: { type: "string" },
    retry: { type: "string" },
    tamper: { type: "string" },
    override: { type: "string" },
  },
  listen: {
    key: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "forward-to": { type: "string" },
    record: { type: "string" },
    "max-age": { type: "string" },
    register: { type: "string" },
    events: { type: "string" },
    test: { type: "boolean" },
    "forward-secret-headers": { type: "boolean" },
  },
  replay: { to: { type: "string" }, "event-id": { type: "string" } },
};
let args;
try {
  args = parseArgs({
    args: rest,
    options: { ...specs[command], json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: command === "trigger" || command === "replay",
  });
} catch (error) {
  usage(`${optionError(error)}\n\n${HELP[command]}`);
}
/** parseArgs's error in a line, with the flag meant when one was mistyped. */
function optionError(error) {
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(error.message);
  if (error.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION" || !unknown) return error.message;
  const flags = [...Object.keys(specs[command]), "json", "help"];
  return `Unknown option ${unknown[1]} for ${command}.${didYouMean(unknown[1].replace(/^-+/, ""), flags, (f) => `--${f}`)}`;
}
const { values: opts, positionals } = args;
if (opts.help) usage(HELP[command], 0);
const print = (human, json) => process.stdout.write((opts.json ? jsonForTerminal(json, 2) : human) + "\n");
/** The body from --body or standard input, read no further than one byte past `maxBytes`. */
const readBody = (maxBytes) => {
  const body = readInputWithin(opts.body, maxBytes);
  if (body.length > maxBytes) usage(`The body is over ${maxBytes} bytes: zentitle-webhooks ${command} reads no more.`, 1);
  return body;
};
/** Bodies sign takes; verify reads one byte past the verifier's limit (its default
 * maxBodyBytes), which refuses the body as body_too_large. */
const MAX_SIGNED_BODY_BYTES = 64 * 1024 * 1024;
const VERIFIER_MAX_BODY_BYTES = 1024 * 1024;
/**
 * A file's text, or the value itself when it is no file. A short value that names no file is
 * reported as a missing file: no key is that short (a 1024-bit modulus takes 171 characters),
 * so it is a mistyped path, not a key.
 */
const readValue = (value, flag = "key") => {
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    if (error.code === "EISDIR") usage(`--${flag} ${value} is a directory, not a key file.`);
    if (error.code === "ENOENT" && looksLikePath(value)) usage(`--${flag} ${value}: no such file (and too short to be a key itself).`);
    return value; // not a file: the value itself
  }
};
function looksLikePath(value) {
  const text = value.trim();
  return text.length > 0 && text.length < 160 && !text.startsWith("{") && !text.startsWith("-----");
}
const need = (name) => opts[name] ?? usage(`--${name} is required.\n\n${HELP[command]}`);
const number = (name, fallback, min = 1) => {
  if (opts[name] === undefined) return fallback;
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min) usage(`--${name} must be a whole number of at least ${min}.`);
  return n;
};
/** The key of --key (a file or a value): the text, and what the verifier takes. */
const readKey = () => {
  const text = readValue(need("key")).trim();
  if (!text.startsWith("{")) return { text, key: text };
  try {
    return { text, key: JSON.parse(text) };
  } catch {
    usage("--key looks like a JWK but is not JSON.");
  }
};
const url = (name) => {
  const value = need(name);
  try {
    const parsed = new URL(value);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed.href;
  } catch {
    // reported below
  }
  usage(`--${name} must be an http:// or https:// URL.`);
};

try {
  await { keygen, sign, verify, trigger, listen, replay }[command]();
} catch (error) {
  if (error instanceof WebhookVerificationError || error instanceof TypeError) {
    process.stderr.write(`error${error.code ? ` ${error.code}` : ""}: ${error.message}${error.hint ? `\nHint: ${error.hint}` : ""}\n`);
    process.exit(2);
  }
  throw error;
}

async function keygen() {
  const files = ["private.pem", "public.pem", "modulus.txt", "jwk.json"];
  if (opts.out && !opts.force) {
    const existing = files.filter((f) => existsSync(join(opts.out, f)));
    if (existing.length > 0) usage(`${opts.out} already holds ${existing.join(", ")}: keygen does not replace keys unless --force is given.`, 1);
  }
  const pair = await generateTestKeyPair({ bits: number("bits", 2048) });
  if (opts.out) {
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, "private.pem"), pair.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(opts.out, "public.pem"), pair.publicKeyPem);
    writeFileSync(join(opts.out, "modulus.txt"), pair.modulus + "\n");
    writeFileSync(join(opts.out, "jwk.json"), JSON.stringify(pair.jwk) + "\n");
    print(`wrote private.pem, public.pem, modulus.txt, jwk.json to ${opts.out}`, { out: opts.out, modulus: pair.modulus, jwk: pair.jwk });
  } else {
    print(`${pair.privateKeyPem}\n${pair.publicKeyPem}\nmodulus (RSA Modulus (n)):\n${pair.modulus}\n\njwk:\n${JSON.stringify(pair.jwk)}`, pair);
  }
}

function sign() {
  const signature = signPayload(readBody(MAX_SIGNED_BODY_BYTES), readValue(need("key")));
  print(signature, { signature });
}

function verify() {
  const { key } = readKey();
  const maxAgeSeconds = opts["max-age"] === undefined ? undefined : number("max-age");
  const verifier = new WebhookVerifier({ key, maxAgeSeconds });
  const result = verifier.safeVerify(readInputWithin(opts.body, VERIFIER_MAX_BODY_BYTES), need("signature"), { diagnosis: "full" });
  if (result.ok) {
    const known = isKnownEventCode(result.event.eventCode) ? "" : " (unknown code)";
    print(`valid: ${result.event.eventCode}${known} ${result.event.eventId}`, result);
    process.exit(0);
  }
  const diagnosis = diagnosisText(result);
  const hint = result.hint ? `\nHint: ${result.hint}` : "";
  print(`refused: ${result.code} (HTTP ${result.status})${diagnosis ? `\n${diagnosis}` : ""}\n${result.message}${hint}`, result);
  process.exit(1);
}

async function listen() {
  if ((opts.test || opts.events !== undefined) && opts.register === undefined) usage("--test and --events go with --register URL.");
  // The Management API for --register, and for the account's key when no --key is given.
  const zentitle = opts.register !== undefined || opts.key === undefined ? clientFromEnv(opts.register === undefined ? () => need("key") : usage) : undefined;
  const registerUrl = opts.register === undefined ? undefined : url("register");
  const { key, text } = opts.key === undefined ? await accountKey(zentitle) : readKey();
  const maxAgeSeconds = opts["max-age"] === undefined ? undefined : number("max-age");
  const forwardTo = opts["forward-to"] === undefined ? undefined : url("forward-to");
  const port = number("port", 8787, 0);
  const server = await startListening({
    key,
    keyText: text,
    port,
    host: opts.host,
    forwardTo,
    record: opts.record,
    forwardSecrets: opts["forward-secret-headers"] === true,
    json: opts.json,
    maxAgeSeconds,
  }).catch((error) => {
    if (error.code === "EADDRINUSE")
      usage(`Port ${port} on ${opts.host ?? "127.0.0.1"} is already in use (another listen, or your app?): choose another with --port.`, 1);
    if (error.code === "EACCES")
      usage(`Port ${port} on ${opts.host ?? "127.0.0.1"} needs privileges this user does not have: choose a port above 1023 with --port.`, 1);
    if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") usage(`--host ${opts.host}: not an address of this machine.`, 1);
    throw error;
  });
  process.stderr.write(
    `Listening for Zentitle deliveries on ${server.url} (any path, POST)${forwardTo ? `, forwarding to ${forwardTo}` : ""}${opts.record ? `, recording to ${opts.record}` : ""}.\n` +
      `Live inbox: ${server.inboxUrl}\nCtrl-C to stop.\n`,
  );
  const say = (line) => process.stderr.write(`${line}\n`);
  let session;
  if (registerUrl !== undefined) {
    try {
      session = await registerSession({ client: zentitle, url: registerUrl, events: opts.events, test: opts.test, say });
    } catch (error) {
      say(`The listener could not be registered: ${apiErrorText(error)}`);
      await server.close();
      process.exit(1);
    }
  }
  const stop = async () => {
    await session?.close();
    await server.close();
    process.stderr.write(`Stopped after ${server.deliveries} deliveries.\n`);
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** The account's key from the Management API, for listen without --key. */
async function accountKey(client) {
  try {
    const jwk = await client.getKey();
    return { key: jwk, text: JSON.stringify(jwk) };
  } catch (error) {
    process.stderr.write(`The account's key could not be fetched: ${apiErrorText(error)}\n`);
    process.exit(1);
  }
}

async function replay() {
  const file = positionals[0] ?? usage(`The recorded file is required.\n\n${HELP.replay}`);
  const results = await replayRecording({
    file,
    to: url("to"),
    eventId: opts["event-id"],
    report: (r) => {
      if (!opts.json)
        process.stdout.write(
          `${r.status >= 200 && r.status < 300 ? "ok  " : "FAIL"} ${r.error ? `no answer: ${escapeForTerminal(r.error)}` : r.status}${r.outcome ? ` ${escapeForTerminal(r.outcome)}` : ""} ${escapeForTerminal(r.eventCode ?? "-")} ${escapeForTerminal(r.eventId ?? "-")}\n`,
        );
    },
  });
  if (opts.json) print("", results);
  if (results.length === 0) {
    process.stderr.write(opts["event-id"] ? `No delivery of ${opts["event-id"]} in ${file}.\n` : `No delivery in ${file}.\n`);
    process.exit(1);
  }
  process.exit(results.every((r) => r.status >= 200 && r.status < 300) ? 0 : 1);
}

async function trigger() {
  const eventCode = positionals[0] ?? usage(`The event code is required.\n\n${HELP.trigger}`);
  if (!isKnownEventCode(eventCode)) {
    const meant = closest(eventCode, EVENT_CODES);
    if (meant) usage(`Unknown event code ${eventCode}. Did you mean ${meant}? Nothing was sent.`);
    if (!opts.json) process.stderr.write(`note: ${eventCode} is not a documented event code; it is sent as an unknown event.\n`);
  }
  const url = need("url");
  const privateKey = readValue(need("key"));
  const count = number("count", 1);
  const attempt = number("attempt", 1);
  if (opts.tamper !== undefined && !["body", "signature"].includes(opts.tamper)) usage("--tamper takes body or signature.");
  let overrides = { callAttempt: attempt };
  if (opts.override) {
    try {
      overrides = { ...overrides, ...JSON.parse(opts.override) };
    } catch {
      usage('--override must be JSON, e.g. \'{"payload":{"seatsUsed":9}}\'.');
    }
  }
  const results = [];
  if (opts.retry !== undefined) {
    if (opts.tamper) usage("--retry and --tamper do not go together.");
    const sender = createSender({ privateKey, url, maxAttempts: number("retry", 8), backoffMs: 200 });
    for (let i = 0; i < count; i++) {
      const { eventId, delivered, attempts } = await sender.send(eventCode, overrides);
      results.push({ eventCode, eventId, status: attempts.at(-1).status, ok: delivered, attempts });
      if (!opts.json)
        process.stdout.write(`${delivered ? "ok  " : "FAIL"} ${eventCode} ${eventId}  attempts: ${attempts.map((a) => a.status || "---").join(", ")}\n`);
    }
    if (opts.json) print("", results);
    process.exit(results.every((r) => r.ok) ? 0 : 1);
  }
  for (let i = 0; i < count; i++) {
    const delivery = buildSignedRequest({ privateKey, eventCode, overrides, url });
    let { body } = delivery;
    const headers = { ...delivery.headers };
    if (opts.tamper === "body") body = tamperBody(body);
    if (opts.tamper === "signature") headers["n-signature"] = tamperSignature(headers["n-signature"]);
    const eventId = JSON.parse(delivery.body).eventId;
    let status = 0;
    let answer = "";
    try {
      const response = await fetch(url, { method: "POST", headers, body });
      status = response.status;
      answer = (await response.text()).slice(0, 500);
    } catch (error) {
      answer = `no answer: ${error.cause?.code ?? error.message}`;
    }
    const expected = opts.tamper ? status >= 400 && status < 500 : status >= 200 && status < 300;
    results.push({ eventCode, eventId, tampered: opts.tamper ?? null, status, ok: expected, answer });
    if (!opts.json)
      process.stdout.write(
        `${expected ? "ok  " : "FAIL"} ${status || "---"} ${eventCode} ${eventId}${opts.tamper ? ` (tampered ${opts.tamper})` : ""}  ${answer}\n`,
      );
  }
  if (opts.json) print("", results);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
