// The cost of a refused delivery against an accepted one of the same body: bodies built to be
// the worst case of the diagnosis of `invalid_signature` (many members, integer-like keys in
// order, deep nesting under every indent, long strings that every escaping style widens,
// numbers that need JavaScript's number printing), each wrapped in a valid event envelope and
// signed, then verified with a genuine signature of the same key over other bytes (what anyone
// can replay). Used by benches/bench.mjs; `node benches/amplification.mjs [pkg-dir]` runs it
// alone against an assembled package (the repository's pkg/ by default).
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/** An event envelope around `payload` (JSON text), as Zentitle writes it. */
const envelope = (payload) =>
  `{"callAttempt":1,"eventCode":"entitlement.usage.summary","eventDate":"2025-06-06T11:39:22.739326Z","eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","payload":${payload},"resourceId":"ent_AAAAAAAAAAAAAAAAAAAAAA"}`;
const ENVELOPE_BYTES = envelope("").length;

/** `count` copies of `item` joined by `sep`, as many as fit in `room` bytes with `open`/`close`. */
function fill(open, item, close, room) {
  const each = typeof item === "function" ? item : () => item;
  const parts = [];
  let size = open.length + close.length;
  for (let i = 0; ; i++) {
    const next = each(i);
    if (size + next.length + 1 > room) break;
    parts.push(next);
    size += next.length + 1;
  }
  return open + parts.join(",") + close;
}

/** The worst-case bodies of `size` bytes (the envelope included), by name. */
export function worstCaseBodies(size) {
  const room = size - ENVELOPE_BYTES;
  const deep = (depth) => {
    const inner = room - 2 * depth;
    return "[".repeat(depth) + fill("", "0", "", inner) + "]".repeat(depth);
  };
  const shapes = {
    "many members": fill("{", (i) => `"k${i}":0`, "}", room),
    "integer keys in order": fill("{", (i) => `"${i}":0`, "}", room),
    "nested 62 deep, 0s at the bottom": deep(62),
    "a long string of < (6x in .NET's escaping)": `"${"<".repeat(room - 2)}"`,
    "a long string of é (3x in Python's and .NET's)": `"${"é".repeat(Math.floor((room - 2) / 2))}"`,
    "numbers to re-print (1.50)": fill("[", "1.50", "]", room),
    "many small objects": fill("[", "{}", "]", room),
  };
  const out = {};
  for (const [name, payload] of Object.entries(shapes)) {
    const body = Buffer.from(envelope(payload));
    if (body.length > size) throw new Error(`${name}: ${body.length} bytes over ${size}`);
    out[name] = body;
  }
  return out;
}

/** Calls per round for `fn` to take about `minMs`. */
function callsFor(fn, minMs) {
  let iterations = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= minMs) return iterations;
    iterations *= ms < minMs / 8 ? 8 : 2;
  }
}

/** µs per call of one round of `n` calls. */
function round(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `fns` timed in alternating rounds (so that a machine's drift touches them alike): for each,
 * the median µs per call, and for each after the first, the median of its per-round ratio to
 * the first.
 */
export function timeAlternating(fns, minMs = 40, rounds = 9) {
  const counts = fns.map((fn) => callsFor(fn, minMs));
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < fns.length; i++) times[i].push(round(fns[i], counts[i]));
  }
  return {
    us: times.map(median),
    ratios: times.map((t) => median(t.map((x, r) => x / times[0][r]))),
  };
}

/**
 * For each worst-case body: the accepted verification, the refused one (default diagnosis,
 * and the boolean `verifySignature`), in µs, and the ratio refused / accepted (the median of
 * alternating rounds).
 * `options.full`: also the diagnosis asked for in full (`{ diagnosis: "full" }`), when the
 * package has it.
 */
export function measureAmplification(WebhookVerifier, { privatePem, modulus, sizes = [2048, 64 * 1024], full = true, minMs = 40 }) {
  const key = createPrivateKey(privatePem);
  const verifier = new WebhookVerifier({ key: modulus });
  const signature = (bytes) => sign("sha256", bytes, key).toString("base64");
  const now = Date.parse("2025-06-06T11:40:00Z");
  const rows = [];
  for (const size of sizes) {
    for (const [shape, body] of Object.entries(worstCaseBodies(size))) {
      const good = signature(body);
      const other = signature(Buffer.concat([body, Buffer.from("x")])); // this key, other bytes
      const ok = verifier.safeVerify(body, good, { now });
      if (!ok.ok) throw new Error(`${shape}: the signed body does not verify (${ok.code})`);
      const refused = verifier.safeVerify(body, other, { now });
      if (refused.ok || refused.code !== "invalid_signature") throw new Error(`${shape}: not refused`);
      const fns = [
        () => verifier.safeVerify(body, good, { now }),
        () => verifier.safeVerify(body, other, { now }),
        () => verifier.verifySignature(body, other),
      ];
      if (full) fns.push(() => verifier.safeVerify(body, other, { now, diagnosis: "full" }));
      const { us, ratios } = timeAlternating(fns, minMs);
      const row = { size: body.length, shape, acceptedUs: us[0], refusedUs: us[1], ratio: ratios[1], booleanRatio: ratios[2] };
      if (full) Object.assign(row, { fullUs: us[3], fullRatio: ratios[3] });
      rows.push(row);
    }
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pkg = process.argv[2] ?? `${root}pkg`;
  const { WebhookVerifier } = await import(pathToFileURL(`${pkg}/node.mjs`).href);
  const privatePem = readFileSync(`${root}examples/keys/demo.key.pem`, "utf8");
  const modulus = readFileSync(`${root}examples/keys/demo.modulus.txt`, "utf8").trim();
  // The diagnosis option exists where an unknown value of it is refused.
  const full =
    new WebhookVerifier({ key: modulus }).safeVerify("{}", "x", { diagnosis: "?" }).code === "invalid_argument" &&
    new WebhookVerifier({ key: modulus }).safeVerify("{}", "x", { diagnosis: "full" }).code !== "invalid_argument";
  const rows = measureAmplification(WebhookVerifier, { privatePem, modulus, full });
  for (const r of rows) {
    const extra = r.fullUs === undefined ? "" : `  full ${r.fullUs.toFixed(0)} µs (${r.fullRatio.toFixed(1)}x)`;
    console.log(
      `${String(r.size).padStart(6)} B  ${r.shape.padEnd(48)} accepted ${r.acceptedUs.toFixed(0).padStart(6)} µs  refused ${r.refusedUs.toFixed(0).padStart(7)} µs  ${r.ratio.toFixed(1).padStart(6)}x  boolean ${r.booleanRatio.toFixed(1)}x${extra}`,
    );
  }
  const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  console.log(`worst: ${worst.ratio.toFixed(1)}x (${worst.shape}, ${worst.size} B)`);
}
