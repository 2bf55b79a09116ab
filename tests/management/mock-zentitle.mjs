// A local Zentitle for the Management API tests, on loopback: a token endpoint (OAuth 2.0 client
// credentials, expires_in, 401 for a wrong secret) and the Management API's account key and
// webhook listener routes, answering as the OpenAPI extract's schemas say (every answer and
// request body is checked against them: `schemaProblems` must stay empty). The account's key
// is an RSA key made by node:crypto; the test event is a delivery signed with it by
// node:crypto, posted to the listener's URL.
//
// Faults for the client's tests: `fail(method, pathPrefix, [{ status, retryAfter, body }])`
// answers the next matching requests with those, `revokeTokens()` makes every issued token
// fail with 401, `rotateKey()` gives the account a new key.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { once } from "node:events";

import { check, operationSchema } from "./schema.mjs";

const EVENT_CODES = JSON.parse(readFileSync(new URL("../data/zentitle/event-codes.json", import.meta.url), "utf8")).event_codes;
const id = (prefix) => `${prefix}_${randomBytes(16).toString("base64url").slice(0, 22)}`;
const typeOf = (code) => (code.startsWith("customer.") ? "customer" : code.startsWith("entitlement.group.") ? "entitlementGroup" : "entitlement");

/** The test event as the mock sends it: the UI's code is not documented, so the mock names it plainly. */
export const TEST_EVENT_CODE = "webhook.test";

export function makeKey() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { kty, n, e } = publicKey.export({ format: "jwk" });
  return { privateKey, publicKey, jwk: { kty, n, e } };
}

/**
 * Starts the mock on 127.0.0.1. Options: `tenantId`, `clientId`, `clientSecret`,
 * `tokenSeconds` (expires_in), `extraEventCodes` (codes the account offers beyond the 20),
 * `listShape` ("items" as the schema says, "data" or "array" as other versions answer).
 */
export async function startMockZentitle(options = {}) {
  const tenantId = options.tenantId ?? "t_mockTenantAAAAAAAAAAAAA";
  const clientId = options.clientId ?? "webhooks-client";
  const clientSecret = options.clientSecret ?? `secret-${randomBytes(12).toString("hex")}`;
  const state = {
    tokenSeconds: options.tokenSeconds ?? 300,
    listShape: options.listShape ?? "items",
    eventCodes: [
      ...EVENT_CODES.map((e) => ({ type: typeOf(e.code), code: e.code, description: e.description })),
      ...(options.extraEventCodes ?? []).map((code) => ({ type: typeOf(code), code, description: `Event ${code}` })),
    ],
  };
  let key = makeKey();
  const tokens = new Map(); // token -> expiry (ms)
  const webhooks = new Map();
  const faults = [];
  const counts = { token: 0, tokenRefused: 0, key: 0, requests: 0, unauthorized: 0 };
  const log = []; // { method, path, status }
  const schemaProblems = [];
  const deliveries = [];
  const deliveryWaiters = [];

  const answer = (res, status, body, { headers = {}, documented } = {}) => {
    if (documented) {
      const expected = operationSchema(documented, res.req.method, { status });
      const problems = expected === null ? (body === undefined ? [] : ["an answer without a documented body has one"]) : check(body, expected);
      for (const p of problems) schemaProblems.push(`${res.req.method} ${documented} ${status}: ${p}`);
    }
    log.push({ method: res.req.method, path: res.req.url, status });
    const text = body === undefined ? undefined : JSON.stringify(body);
    res.writeHead(status, { ...(text === undefined ? {} : { "content-type": "application/json" }), ...headers }).end(text);
  };
  const problem = (res, status, title, headers) => answer(res, status, { title, status }, { headers });

  async function readBody(req) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  }

  function injected(req, res, path) {
    const index = faults.findIndex((f) => f.method === req.method && path.startsWith(f.prefix));
    if (index === -1) return false;
    const fault = faults[index];
    const next = fault.answers.shift();
    if (fault.answers.length === 0) faults.splice(index, 1);
    if (next.hangUp) {
      log.push({ method: req.method, path: req.url, status: 0 });
      req.socket.destroy();
      return true;
    }
    answer(res, next.status, next.body ?? { title: `injected ${next.status}`, status: next.status }, {
      headers: next.retryAfter === undefined ? {} : { "retry-after": String(next.retryAfter) },
    });
    return true;
  }

  async function token(req, res) {
    counts.token++;
    const form = new URLSearchParams(await readBody(req));
    if (req.headers["content-type"] !== "application/x-www-form-urlencoded") return problem(res, 400, "form body expected");
    if (form.get("grant_type") !== "client_credentials") return answer(res, 400, { error: "unsupported_grant_type" });
    if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) {
      counts.tokenRefused++;
      // Keycloak's answer, with the secret echoed back to prove the client never repeats a body's secret.
      return answer(res, 401, { error: "invalid_client", error_description: `Invalid client or client credentials (${form.get("client_secret")})` });
    }
    const value = randomBytes(24).toString("base64url");
    tokens.set(value, Date.now() + state.tokenSeconds * 1000);
    return answer(res, 200, { access_token: value, expires_in: state.tokenSeconds, token_type: "Bearer", scope: form.get("scope") ?? "" });
  }

  function authorised(req, res) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const expiry = bearer === undefined ? undefined : tokens.get(bearer);
    if (expiry === undefined || Date.now() >= expiry) {
      counts.unauthorized++;
      problem(res, 401, "Unauthorized", { "www-authenticate": 'Bearer error="invalid_token"' });
      return false;
    }
    if (req.headers["n-tenantid"] !== tenantId) {
      problem(res, 403, "Unknown tenant");
      return false;
    }
    if (!/application\/json/.test(req.headers.accept ?? "")) {
      problem(res, 406, "Accept: application/json expected");
      return false;
    }
    return true;
  }

  async function listenerBody(req, res, documented) {
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      problem(res, 400, "JSON body expected");
      return undefined;
    }
    const problems = check(body, operationSchema(documented, req.method, { request: true }));
    const known = new Set(state.eventCodes.map((e) => e.code));
    if (Array.isArray(body?.subscriptions)) for (const code of body.subscriptions) if (!known.has(code)) problems.push(`unknown event code ${code}`);
    if (problems.length > 0) {
      problem(res, 400, `Invalid request: ${problems.join("; ")}`);
      return undefined;
    }
    return body;
  }

  async function sendTestEvent(listener) {
    const body = JSON.stringify({
      eventId: id("event"),
      eventDate: new Date().toISOString(),
      eventCode: TEST_EVENT_CODE,
      resourceId: listener.id,
      callAttempt: 1,
      payload: {},
    });
    const signature = sign("sha256", Buffer.from(body), key.privateKey).toString("base64");
    const record = { webhookId: listener.id, url: listener.uri, body, status: 0 };
    try {
      const response = await fetch(listener.uri, { method: "POST", headers: { "content-type": "application/json", "n-signature": signature }, body });
      record.status = response.status;
      record.answer = await response.text();
    } catch (error) {
      record.error = error.cause?.code ?? error.message;
    }
    deliveries.push(record);
    for (const waiter of deliveryWaiters.splice(0)) waiter(record);
  }

  const API = "/api/v1/account";
  async function api(req, res, path, url) {
    if (!authorised(req, res)) return;
    const m = req.method;
    if (path === `${API}/key` && m === "GET") {
      counts.key++;
      return answer(res, 200, key.jwk, { documented: "api/v1/account/key" });
    }
    if (path === `${API}/webhooks/events` && m === "GET") {
      const items = state.eventCodes;
      return answer(res, 200, { items, elementsTotal: items.length }, { documented: "api/v1/account/webhooks/events" });
    }
    if (path === `${API}/webhooks` && m === "GET") {
      const pageNumber = Number(url.searchParams.get("pageNumber") ?? 1);
      const pageSize = Number(url.searchParams.get("pageSize") ?? 10);
      const all = [...webhooks.values()];
      const items = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      if (state.listShape === "array") return answer(res, 200, all);
      if (state.listShape === "data") return answer(res, 200, { data: all });
      return answer(res, 200, { items, pageSize, pageNumber, elementsTotal: all.length }, { documented: "api/v1/account/webhooks" });
    }
    if (path === `${API}/webhooks` && m === "POST") {
      const body = await listenerBody(req, res, "api/v1/account/webhooks");
      if (!body) return;
      const listener = { id: id("whl"), uri: body.uri, subscriptions: body.subscriptions };
      webhooks.set(listener.id, listener);
      return answer(res, 201, listener, { documented: "api/v1/account/webhooks" });
    }
    const one = /^\/api\/v1\/account\/webhooks\/([A-Za-z0-9_-]+)(\/test)?$/.exec(path);
    if (one) {
      const documented = one[2] ? "api/v1/account/webhooks/{webhookListenerId}/test" : "api/v1/account/webhooks/{webhookListenerId}";
      const listener = webhooks.get(one[1]);
      if (!listener) return problem(res, 404, "Webhook listener not found");
      if (one[2] && m === "POST") {
        answer(res, 204, undefined, { documented });
        setImmediate(() => sendTestEvent(listener));
        return;
      }
      if (!one[2] && m === "GET") return answer(res, 200, listener, { documented });
      if (!one[2] && m === "PUT") {
        const body = await listenerBody(req, res, documented);
        if (!body) return;
        Object.assign(listener, { uri: body.uri, subscriptions: body.subscriptions });
        return answer(res, 204, undefined, { documented });
      }
      if (!one[2] && m === "DELETE") {
        webhooks.delete(listener.id);
        return answer(res, 204, undefined, { documented });
      }
    }
    return problem(res, 404, "No such route");
  }

  const server = createServer(async (req, res) => {
    counts.requests++;
    const url = new URL(req.url, "http://mock.invalid");
    const path = url.pathname;
    try {
      if (injected(req, res, path)) return;
      if (path === `/realms/${tenantId}/protocol/openid-connect/token` && req.method === "POST") return await token(req, res);
      if (path.startsWith(`${API}/`)) return await api(req, res, path, url);
      return problem(res, 404, "No such route");
    } catch (error) {
      if (!res.headersSent) problem(res, 500, `mock failed: ${error.message}`);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${server.address().port}`;

  return {
    tenantId,
    clientId,
    clientSecret,
    baseUrl: base,
    tokenUrl: `${base}/realms/${tenantId}/protocol/openid-connect/token`,
    counts,
    log,
    webhooks,
    deliveries,
    schemaProblems,
    state,
    /** The credentials as a ZentitleClient takes them. */
    get credentials() {
      return { tokenUrl: this.tokenUrl, clientId, clientSecret, tenantId, baseUrl: base };
    },
    /** The environment the CLI reads them from. */
    get env() {
      return {
        ZENTITLE_TOKEN_URL: this.tokenUrl,
        ZENTITLE_CLIENT_ID: clientId,
        ZENTITLE_CLIENT_SECRET: clientSecret,
        ZENTITLE_TENANT_ID: tenantId,
        ZENTITLE_API_URL: base,
      };
    },
    get key() {
      return key;
    },
    rotateKey() {
      key = makeKey();
      return key;
    },
    revokeTokens() {
      tokens.clear();
    },
    issuedTokens: () => [...tokens.keys()],
    fail(method, prefix, answers) {
      faults.push({ method, prefix, answers: [...answers] });
    },
    /** The next test delivery the mock makes (or one already made after `since` deliveries). */
    nextDelivery(since = deliveries.length) {
      if (deliveries.length > since) return Promise.resolve(deliveries[since]);
      return new Promise((resolve) => deliveryWaiters.push(resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
