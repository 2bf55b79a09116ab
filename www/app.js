// The page: verify a delivery (key, raw body, N-Signature, or a whole raw HTTP request), sign
// bodies, browse samples of every event code; served by `zentitle-webhooks listen`, the live
// inbox of real deliveries too. Plain modules, no bundler: the import map points at the package
// (../pkg/ in the repository; ../ in the package, which build-pkg writes). The sample key pair
// is the test kit's ready-made one, so the page fetches nothing but its modules.
import { EVENT_CODES, WebhookVerifier, init, isKnownEventCode } from "zentitle-webhooks";
import { createTestEvent, generateTestKeyPair, init as initTestKit, signPayload, tamperBody, tamperSignature, testKeyPair } from "zentitle-webhooks/testing";

import { startInbox } from "./inbox.js";
import { parseRawRequest } from "./raw-request.js";

const $ = (id) => document.getElementById(id);
// Every documented code (the package's own list), the UI's test event and an unknown code.
const CODES = [...EVENT_CODES, "webhook.test", "entitlement.brand.new"];
const sample = { modulus: "", privateKeyPem: "" };
/** The key `listen` verifies with, when it serves the page: its deliveries open with it. */
let listenKey;

async function main() {
  await Promise.all([init(), initTestKit()]);
  const { modulus, privateKeyPem } = testKeyPair();
  Object.assign(sample, { modulus, privateKeyPem });
  for (const code of CODES) {
    const label = code === "webhook.test" ? `${code} (the UI's Test button)` : isKnownEventCode(code) ? code : `${code} (unknown code)`;
    $("sample").append(new Option(label, code));
  }
  $("sample").value = "entitlement.seat.activated";
  $("key").value = sample.modulus;
  $("private-key").value = sample.privateKeyPem;
  loadSample();
  $("sample").addEventListener("change", loadSample);
  $("sample-key").addEventListener("click", () => {
    $("key").value = sample.modulus;
    $("private-key").value = sample.privateKeyPem;
  });
  $("tamper-body").addEventListener("click", () => ($("body").value = tamperBody($("body").value)));
  $("tamper-signature").addEventListener("click", () => act(() => ($("signature").value = tamperSignature($("signature").value))));
  $("generate").addEventListener("click", () =>
    act(async () => {
      show("Generating a key pair…", "");
      const pair = await generateTestKeyPair();
      $("private-key").value = pair.privateKeyPem;
      $("key").value = pair.modulus;
      $("signature").value = "";
      show("New key pair: the public key panel holds its modulus. Sign the body to use it.", "");
    }),
  );
  $("sign").addEventListener("click", () => act(() => ($("signature").value = signPayload($("body").value, $("private-key").value))));
  $("verify").addEventListener("click", verify);
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", () => navigator.clipboard?.writeText($(button.dataset.copy).value));
  }
  $("verify-raw").addEventListener("click", verifyRawRequest);
  listenKey = await startInbox({ table, diagnosis, open: openInVerifier });
  if (listenKey !== undefined) {
    $("status").textContent =
      "Listening: deliveries appear in the inbox as they arrive, and open here with the key listen verifies with. The samples are signed with the test kit's key, which the key panel holds for them.";
  } else {
    $("status").textContent = "Ready. Pick a sample, or paste a delivery, then Verify.";
  }
  document.body.dataset.ready = "true";
}

/** Puts a delivery into the verifier's panels and verifies it. */
function openInVerifier(body, signature) {
  if (listenKey !== undefined) $("key").value = listenKey;
  $("body").value = body;
  $("signature").value = signature;
  verify();
  $("verdict").scrollIntoView({ block: "center" });
}

function verifyRawRequest() {
  const { headers, body } = parseRawRequest($("raw-request").value);
  const signature = headers.get("n-signature");
  $("body").value = body;
  $("signature").value = signature ?? "";
  if (signature === undefined) {
    $("event").replaceChildren();
    show("Refused: missing_signature", "refused", `No N-Signature header among the ${headers.size} headers pasted.`);
    return;
  }
  verify();
}

function loadSample() {
  const event = createTestEvent($("sample").value);
  const body = JSON.stringify(event, null, 2);
  $("body").value = body;
  $("signature").value = signPayload(body, sample.privateKeyPem);
  $("key").value = sample.modulus; // the key that signed it (under listen, the panel may hold listen's)
  show("", "");
  $("event").replaceChildren();
}

function act(fn) {
  const fail = (error) => show(`${error.code ?? error.name}: ${error.message}`, "refused");
  try {
    fn()?.catch?.(fail);
  } catch (error) {
    fail(error);
  }
}

function show(text, kind, detail) {
  const verdict = $("verdict");
  verdict.className = `verdict ${kind}`;
  verdict.textContent = text;
  if (detail) {
    const small = document.createElement("small");
    small.textContent = detail;
    verdict.append(small);
  }
}

function verify() {
  $("event").replaceChildren();
  let verifier;
  try {
    verifier = new WebhookVerifier({ key: $("key").value });
  } catch (error) {
    show(`Key refused: ${error.code}`, "refused", error.message);
    return;
  }
  // The page explains a refusal to the developer who pasted it: the diagnosis searches in full.
  const options = $("window").checked ? { maxAgeSeconds: 300, diagnosis: "full" } : { diagnosis: "full" };
  // The body exactly as in the text area: its UTF-8 bytes are what was signed.
  const result = verifier.safeVerify($("body").value, $("signature").value, options);
  verifier.free();
  if (!result.ok) {
    show(`Refused: ${result.code} (HTTP ${result.status})`, "refused", result.message);
    if (result.mismatch) $("event").append(diagnosis(result));
    return;
  }
  const { event } = result;
  show(`Valid: ${event.eventCode}${isKnownEventCode(event.eventCode) ? "" : " (unknown code: passes untyped)"}`, "ok");
  $("event").append(
    table("Envelope", [
      ["eventId", event.eventId],
      ["eventDate", event.eventDate],
      ["eventCode", event.eventCode],
      ["resourceId", event.resourceId],
      ["callAttempt", event.callAttempt],
    ]),
  );
  const payload = event.payload && typeof event.payload === "object" ? Object.entries(event.payload) : [["(payload)", JSON.stringify(event.payload ?? null)]];
  $("event").append(table("Payload", payload.length ? payload : [["(empty)", "{}"]]));
}

/** What a refusal's signature shows, and the hint; or "Verified". */
function diagnosis(verdict) {
  const box = document.createElement("div");
  box.className = `diagnosis ${verdict.ok ? "ok" : "refused"}`;
  box.dataset.testid = "diagnosis";
  const rows = verdict.ok
    ? [["verdict", "verified"]]
    : [
        ["verdict", `refused: ${verdict.code} (HTTP ${verdict.status})`],
        ...(verdict.mismatch ? [["mismatch", MISMATCH[verdict.mismatch] ?? verdict.mismatch]] : []),
        ...(verdict.bodyChange ? [["body change", verdict.bodyChange]] : []),
        ["what to do", verdict.hint ?? verdict.message],
      ];
  box.append(table("Diagnosis", rows));
  return box;
}

const MISMATCH = {
  body: "body: this key signed other bytes (the body changed on the way)",
  key: "key: this key did not make the signature (another account or environment, or a damaged signature)",
};

function table(title, rows) {
  const wrap = document.createElement("div");
  const h = document.createElement("h3");
  h.textContent = title;
  const t = document.createElement("table");
  for (const [name, value] of rows) {
    const tr = t.insertRow();
    const th = document.createElement("th");
    th.textContent = name;
    const code = document.createElement("code");
    code.textContent = typeof value === "string" ? value : JSON.stringify(value);
    tr.append(th);
    tr.insertCell().append(code);
  }
  wrap.append(h, t);
  return wrap;
}

main().catch((error) => {
  $("status").textContent = `Could not start: ${error.message}`;
  document.body.dataset.ready = "failed";
});
