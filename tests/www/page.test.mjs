// The www page in real headless Chromium (Playwright with the system Chromium): a sample is
// accepted, a tampered one shows invalid_signature, and a generate-sign-verify round trip
// works. Screenshots are kept in target/artifacts/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { serveStatic } from "../runtimes/static-server.mjs";
import { launchChromium } from "../runtimes/chromium.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const artifacts = fileURLToPath(new URL("../../target/artifacts/", import.meta.url));
mkdirSync(artifacts, { recursive: true });

describe("www page", () => {
  let browser;
  let site;
  let page;
  const errors = [];
  before(async () => {
    site = await serveStatic(root);
    browser = await launchChromium(chromium);
    page = await browser.newPage({ viewport: { width: 1200, height: 1300 } });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/www/index.html`);
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 30_000 });
    assert.equal(await page.getAttribute("body", "data-ready"), "true", errors.join("\n"));
  });
  after(async () => {
    await browser?.close();
    site?.close();
  });
  const verdict = () => page.textContent("[data-testid=verdict]");

  test("a sample delivery is accepted and its typed event shown", async () => {
    await page.selectOption("[data-testid=sample]", "entitlement.seat.activated");
    await page.click("[data-testid=verify]");
    assert.match(await verdict(), /^Valid: entitlement\.seat\.activated/);
    const event = await page.textContent("[data-testid=event]");
    assert.match(event, /seatId\s*josé\.núñez\+ci@example\.com/);
    assert.match(event, /callAttempt\s*1/);
    await page.screenshot({ path: `${artifacts}www-valid.png`, fullPage: true });
  });

  test("every sample in the gallery verifies", async () => {
    const codes = await page.$$eval("[data-testid=sample] option", (options) => options.map((o) => o.value));
    assert.equal(codes.length, 22);
    for (const code of codes) {
      await page.selectOption("[data-testid=sample]", code);
      await page.click("[data-testid=verify]");
      assert.match(await verdict(), new RegExp(`^Valid: ${code.replace(/\./g, "\\.")}`), code);
    }
  });

  test("a tampered body shows invalid_signature", async () => {
    await page.selectOption("[data-testid=sample]", "customer.created");
    await page.click("[data-testid=tamper-body]");
    await page.click("[data-testid=verify]");
    assert.match(await verdict(), /Refused: invalid_signature \(HTTP 401\)/);
    await page.screenshot({ path: `${artifacts}www-tampered.png`, fullPage: true });
  });

  test("generate a key pair, sign, verify", async () => {
    await page.selectOption("[data-testid=sample]", "entitlement.expires7days");
    await page.click("[data-testid=generate]");
    // Key generation is asynchronous (WebCrypto): wait for the page to say it is done.
    await page.waitForFunction(() => document.querySelector("[data-testid=verdict]")?.textContent.startsWith("New key pair"));
    const modulus = await page.inputValue("[data-testid=key]");
    assert.match(modulus, /^[A-Za-z0-9_-]{342}$/);
    await page.click("[data-testid=verify]");
    assert.match(await verdict(), /Refused: missing_signature/, "generating a key clears the old signature");
    await page.click("[data-testid=sign]");
    await page.click("[data-testid=verify]");
    assert.match(await verdict(), /^Valid: entitlement\.expires7days/);
    await page.screenshot({ path: `${artifacts}www-signed.png`, fullPage: true });
  });

  test("a pasted raw HTTP request is split and verified; a changed body gets its diagnosis", async () => {
    await page.click("[data-testid=sample-key]");
    await page.selectOption("[data-testid=sample]", "entitlement.created");
    const body = await page.inputValue("[data-testid=body]");
    const signature = await page.inputValue("[data-testid=signature]");
    const raw = (b) =>
      `POST /webhooks/zentitle HTTP/1.1\r\nHost: example.ngrok.app\r\nContent-Type: application/json; charset=utf-8\r\nn-signature: ${signature}\r\n\r\n${b}`;
    await page.fill("[data-testid=raw-request]", raw(body));
    await page.click("[data-testid=verify-raw]");
    assert.match(await verdict(), /^Valid: entitlement\.created/);
    await page.fill("[data-testid=raw-request]", raw(JSON.stringify(JSON.parse(body))));
    await page.click("[data-testid=verify-raw]");
    assert.match(await verdict(), /Refused: invalid_signature/);
    const diagnosis = await page.textContent("[data-testid=diagnosis]");
    assert.match(diagnosis, /mismatch\s*body/);
    assert.match(diagnosis, /body change\s*reserialized_json/);
    await page.screenshot({ path: `${artifacts}www-raw-request.png`, fullPage: true });
    await page.fill("[data-testid=raw-request]", `POST / HTTP/1.1\nContent-Type: application/json\n\n${body}`);
    await page.click("[data-testid=verify-raw]");
    assert.match(await verdict(), /missing_signature/);
  });

  test("a bad key and a base64url signature get their codes", async () => {
    await page.click("[data-testid=sample-key]");
    await page.selectOption("[data-testid=sample]", "customer.updated");
    const signature = await page.inputValue("[data-testid=signature]");
    await page.fill("[data-testid=signature]", signature.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    await page.click("[data-testid=verify]");
    assert.match(await verdict(), /malformed_signature/);
    await page.fill("[data-testid=key]", "not a key");
    await page.click("[data-testid=verify]");
    assert.match(await verdict(), /Key refused: invalid_key/);
    assert.deepEqual(errors, []);
  });
});

// The page as the package ships it (its import map one level up), served by a static server
// from a project that installed the package, and opened from disk.
describe("the page in node_modules/zentitle-webhooks/www/", () => {
  let browser;
  let site;
  before(async () => {
    site = await serveStatic(root); // node_modules/zentitle-webhooks links to pkg/, as npm installs it
    browser = await launchChromium(chromium);
  });
  after(async () => {
    await browser?.close();
    site?.close();
  });

  test("served statically, it starts and verifies its sample", async () => {
    const errors = [];
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/node_modules/zentitle-webhooks/www/index.html`);
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 30_000 });
    assert.equal(await page.getAttribute("body", "data-ready"), "true", errors.join("\n"));
    await page.click("[data-testid=verify]");
    assert.match(await page.textContent("[data-testid=verdict]"), /^Valid: entitlement\.seat\.activated/);
    assert.deepEqual(errors, []);
  });

  test("opened from disk, it says to serve it instead of loading forever", async () => {
    const page = await browser.newPage();
    await page.goto(`file://${root}pkg/www/index.html`);
    await page.waitForTimeout(500);
    assert.match(await page.textContent("[data-testid=status]"), /needs to be served over HTTP/);
  });
});
