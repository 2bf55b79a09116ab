#!/usr/bin/env node
// npx zentitle-webhooks <command>: keys, signatures and realistic signed deliveries for
// testing a Zentitle webhook receiver. `--help` on any command says more.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { WebhookVerificationError, WebhookVerifier, isKnownEventCode } from "./node.mjs";
import { buildSignedRequest, createSender, generateTestKeyPair, signPayload, tamperBody, tamperSignature } from "./testing-node.mjs";

const HELP = {
  main: `zentitle-webhooks: test tools for Zentitle2 webhook receivers

Usage: zentitle-webhooks <command> [options]

Commands:
  keygen    make a test RSA key pair (private PEM, public PEM, modulus, JWK)
  sign      sign a body like Zentitle: prints the N-Signature value
  verify    check a body and signature with a key: verdict, error code, exit status
  trigger   post realistic signed events to a local receiver (like \`stripe trigger\`)

Every command takes --help and --json.`,
  keygen: `Usage: zentitle-webhooks keygen [--bits 2048] [--out DIR] [--json]

Makes a throwaway RSA key pair. With --out, writes private.pem, public.pem, modulus.txt and
jwk.json to DIR; otherwise prints them. The modulus is the form the Zentitle UI shows.`,
  sign: `Usage: zentitle-webhooks sign --key private.pem [--body FILE | < body] [--json]

Prints the N-Signature value (RSASSA-PKCS1-v1_5, SHA-256, standard base64) of the body, read
from FILE or standard input, byte for byte.`,
  verify: `Usage: zentitle-webhooks verify --key KEY --signature SIG [--body FILE | < body] [--json]
                               [--max-age SECONDS]

KEY is a file or a value: the modulus, a PEM or a JWK. Prints "valid" and the event, or the
error code and message. Exit status: 0 valid, 1 refused, 2 usage error.`,
  trigger: `Usage: zentitle-webhooks trigger <eventCode> --url URL --key private.pem
                               [--count N] [--attempt N] [--retry N] [--tamper body|signature]
                               [--override JSON] [--json]

Posts realistic events, signed with the key, to the receiver at URL (loopback or your own
test host), and prints each answer. --tamper alters each delivery after signing (it must be
refused); --attempt sets callAttempt; --retry N delivers like Zentitle (the same eventId,
callAttempt counting up, re-signed, retried with back-off until a 2xx, N attempts at most);
--override merges JSON into the event
(e.g. '{"payload":{"seatsUsed":9}}'). Exit status: 0 if every delivery got a 2xx (or, with
--tamper, a 4xx), else 1.`,
};

const [command, ...rest] = process.argv.slice(2);
const usage = (text, code = 2) => {
  (code === 0 ? process.stdout : process.stderr).write(text + "\n");
  process.exit(code);
};
if (!command || command === "--help" || command === "-h" || command === "help") usage(HELP.main, command ? 0 : 2);
if (!HELP[command]) usage(`Unknown command "${command}".\n\n${HELP.main}`);

const specs = {
  keygen: { bits: { type: "string" }, out: { type: "string" } },
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
};
let args;
try {
  args = parseArgs({
    args: rest,
    options: { ...specs[command], json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: command === "trigger",
  });
} catch (error) {
  usage(`${error.message}\n\n${HELP[command]}`);
}
const { values: opts, positionals } = args;
if (opts.help) usage(HELP[command], 0);
const print = (human, json) => process.stdout.write((opts.json ? JSON.stringify(json, null, 2) : human) + "\n");
const readBody = () => (opts.body ? readFileSync(opts.body) : readFileSync(0));
const readValue = (value) => {
  try {
    return readFileSync(value, "utf8");
  } catch {
    return value; // not a file: the value itself
  }
};
const need = (name) => opts[name] ?? usage(`--${name} is required.\n\n${HELP[command]}`);
const number = (name, fallback) => {
  if (opts[name] === undefined) return fallback;
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} must be a whole number of at least 1.`);
  return n;
};

try {
  await { keygen, sign, verify, trigger }[command]();
} catch (error) {
  if (error instanceof WebhookVerificationError || error instanceof TypeError) {
    process.stderr.write(`error${error.code ? ` ${error.code}` : ""}: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

function keygen() {
  const pair = generateTestKeyPair({ bits: number("bits", 2048) });
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
  const signature = signPayload(readBody(), readValue(need("key")));
  print(signature, { signature });
}

function verify() {
  const key = readValue(need("key")).trim();
  const maxAgeSeconds = opts["max-age"] === undefined ? undefined : number("max-age");
  const verifier = new WebhookVerifier({ key: key.startsWith("{") ? JSON.parse(key) : key, maxAgeSeconds });
  const result = verifier.safeVerify(readBody(), need("signature"));
  if (result.ok) {
    const known = isKnownEventCode(result.event.eventCode) ? "" : " (unknown code)";
    print(`valid: ${result.event.eventCode}${known} ${result.event.eventId}`, result);
    process.exit(0);
  }
  print(`refused: ${result.code} (HTTP ${result.status})\n${result.message}`, result);
  process.exit(1);
}

async function trigger() {
  const eventCode = positionals[0] ?? usage(`The event code is required.\n\n${HELP.trigger}`);
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
