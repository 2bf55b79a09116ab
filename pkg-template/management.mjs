// `zentitle-webhooks/management`: a small client of the Zentitle2 Management API (the account's
// signing key, webhook listeners, the test event, the subscribable event codes) and
// `zentitleKey`, a key source for the verifier and the receiver that follows the account's key.
//
// It needs nothing but `fetch`, so it runs wherever the package does (Node, Workers, Deno, Bun),
// and it loads no WebAssembly. Why each behaviour:
// - The OAuth 2.0 client-credentials token is cached until shortly before it expires, and one
//   fetch of it is shared by every call that needs it (single flight).
// - A 401 from the API fetches a new token once and repeats the call once (tokens can be
//   revoked before `expires_in` says).
// - 429 waits for `Retry-After` (bounded by `maxRetryAfterSeconds`); 5xx, timeouts and network
//   errors are retried with exponential back-off and full jitter, `retries` times. Only calls
//   that are safe to repeat are retried on 5xx and network errors (GET, PUT, DELETE, and the
//   token request): a POST that failed that way may have been carried out (a listener created,
//   a test event sent), so it fails at once instead of maybe doing it twice. 429 and 401 are
//   retried for every method: the server refused the call before doing it.
// - The client secret and the tokens are kept in private fields and never put in a message, a
//   log line or an error (nor shown by `console.log(client)`).

const DEFAULTS = {
  retries: 3,
  timeoutSeconds: 15,
  maxRetryAfterSeconds: 30,
  backoffSeconds: 0.25,
  maxBackoffSeconds: 8,
  scope: "openid",
};
const OPTIONS = [
  "tokenUrl",
  "clientId",
  "clientSecret",
  "tenantId",
  "baseUrl",
  "fetch",
  "apiVersion",
  "scope",
  "retries",
  "timeoutSeconds",
  "maxRetryAfterSeconds",
  "backoffSeconds",
  "log",
];
/** A token is renewed this long before it expires (or at 90% of a shorter lifetime). */
const TOKEN_MARGIN_SECONDS = 30;
/** The lifetime assumed for a token whose answer has no `expires_in`. */
const DEFAULT_TOKEN_SECONDS = 60;
/** `listWebhooks` reads pages of this size, and stops after this many pages. */
const PAGE_SIZE = 100;
const MAX_PAGES = 100;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** What the statuses of a failed call are called. */
function codeOfStatus(status) {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  return "bad_request";
}

const MESSAGES = {
  unauthorized: "Zentitle refused the credentials: check the token URL, client id and client secret (and that the client may use the Management API).",
  token_refused: "The token endpoint refused the client credentials: check the token URL, client id and client secret.",
  forbidden:
    "Zentitle refused the call (403): the API client lacks the scope it needs (api:admin for the key, webhooks:admin for listeners), or the tenant id is wrong.",
  not_found: "Zentitle has no such resource (404).",
  rate_limited: "Zentitle is rate-limiting this client (429) and asked to wait longer than allowed, or the retries ran out.",
  server_error: "Zentitle answered with a server error (5xx) after every retry.",
  bad_request: "Zentitle refused the request as invalid.",
  network_error: "Zentitle could not be reached (network error).",
  timeout: "Zentitle did not answer in time.",
  invalid_response: "Zentitle's answer was not what the Management API documents.",
};

/** A failed Management API call: `code`, the HTTP `status` (0 when there was no answer), and no secret. */
export class ZentitleApiError extends Error {
  /**
   * @param {string} code e.g. "unauthorized", "rate_limited", "server_error", "network_error", "invalid_response", "not_found"
   * @param {string} message what went wrong and what to do; never contains a secret or token
   * @param {number} status the HTTP status Zentitle answered with, 0 if none
   * @param {{ method?: string, path?: string, retryAfterSeconds?: number, detail?: string, cause?: unknown }} [info]
   */
  constructor(code, message, status, info = {}) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = "ZentitleApiError";
    this.code = code;
    this.status = status;
    this.method = info.method;
    this.path = info.path;
    this.retryAfterSeconds = info.retryAfterSeconds;
    this.detail = info.detail;
  }
}

const argumentError = (message) => Object.assign(new TypeError(message), { code: "invalid_argument" });

function readClientOptions(options) {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw argumentError("new ZentitleClient(options): options must be an object with tokenUrl, clientId, clientSecret, tenantId and baseUrl.");
  }
  const o = {};
  try {
    for (const name of Object.keys(options)) {
      if (!OPTIONS.includes(name)) throw argumentError(`new ZentitleClient(options): unknown option \`${name}\`. Known: ${OPTIONS.join(", ")}.`);
    }
    for (const name of OPTIONS) o[name] = options[name];
  } catch (error) {
    if (error?.code === "invalid_argument") throw error;
    throw argumentError("new ZentitleClient(options): reading the options threw an exception; pass plain values.");
  }
  for (const name of ["tokenUrl", "clientId", "clientSecret", "tenantId", "baseUrl"]) {
    if (typeof o[name] !== "string" || o[name].trim() === "")
      throw argumentError(`new ZentitleClient(options): options.${name} is required (a non-empty string).`);
  }
  for (const name of ["tokenUrl", "baseUrl"]) {
    let url;
    try {
      url = new URL(o[name]);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
      throw argumentError(`new ZentitleClient(options): options.${name} must be an http(s) URL.`);
  }
  const number = (name, min) => {
    const value = o[name] ?? DEFAULTS[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min)
      throw argumentError(`new ZentitleClient(options): options.${name} must be a number of at least ${min}.`);
    return value;
  };
  const fetchFn = o.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") throw argumentError("new ZentitleClient(options): no fetch in this runtime: pass options.fetch.");
  if (o.log !== undefined && typeof o.log !== "function") throw argumentError("new ZentitleClient(options): options.log must be a function.");
  if (o.apiVersion !== undefined && typeof o.apiVersion !== "string") throw argumentError("new ZentitleClient(options): options.apiVersion must be a string.");
  if (o.scope !== undefined && o.scope !== null && typeof o.scope !== "string")
    throw argumentError("new ZentitleClient(options): options.scope must be a string or null.");
  return {
    tokenUrl: o.tokenUrl,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    tenantId: o.tenantId,
    baseUrl: o.baseUrl.replace(/\/+$/, ""),
    fetch: fetchFn,
    apiVersion: o.apiVersion,
    scope: o.scope === undefined ? DEFAULTS.scope : o.scope,
    retries: Math.floor(number("retries", 0)),
    timeoutMs: number("timeoutSeconds", 0.001) * 1000,
    maxRetryAfterMs: number("maxRetryAfterSeconds", 0) * 1000,
    backoffMs: number("backoffSeconds", 0) * 1000,
    log: o.log,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP date); undefined if absent or unreadable. */
function retryAfterSeconds(value, now = Date.now()) {
  if (value === null || value === undefined || value === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** The Zentitle2 Management API: the account's key, webhook listeners, the test event, the event codes. */
export class ZentitleClient {
  #o;
  #token; // { value, expiresAt }
  #tokenFetch; // the token request in flight, shared

  /**
   * `new ZentitleClient({ tokenUrl, clientId, clientSecret, tenantId, baseUrl, fetch?, apiVersion?,
   * scope = "openid", retries = 3, timeoutSeconds = 15, maxRetryAfterSeconds = 30, backoffSeconds = 0.25, log? })`.
   */
  constructor(options) {
    this.#o = readClientOptions(options);
  }

  /** The account's public signing key, as a JWK `{ kty: "RSA", n, e }` (scope api:admin). */
  async getKey() {
    const jwk = await this.#call("GET", "/api/v1/account/key");
    if (!isObject(jwk) || jwk.kty !== "RSA" || typeof jwk.n !== "string" || typeof jwk.e !== "string" || jwk.n === "" || jwk.e === "") {
      throw this.#invalid("GET", "/api/v1/account/key", 'the key is not an RSA JWK ({ kty: "RSA", n, e })');
    }
    const key = { kty: "RSA", n: jwk.n, e: jwk.e };
    for (const name of ["kid", "alg", "use"]) if (typeof jwk[name] === "string") key[name] = jwk[name];
    return key;
  }

  /** Every webhook listener of the account (all pages): `[{ id, uri, subscriptions }]`. */
  async listWebhooks() {
    const all = [];
    const seen = new Set();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const path = `/api/v1/account/webhooks?pageNumber=${page}&pageSize=${PAGE_SIZE}`;
      const answer = await this.#call("GET", path);
      const items = listItems(answer);
      if (items === undefined) throw this.#invalid("GET", path, "the list is neither { items: [...] }, { data: [...] } nor an array");
      // A server that ignores pageNumber answers the same items again: stop at the first page
      // that adds nothing new.
      let added = 0;
      for (const item of items) {
        const listener = this.#webhook(item, "GET", path);
        if (listener.id !== undefined && seen.has(listener.id)) continue;
        seen.add(listener.id);
        all.push(listener);
        added++;
      }
      const total = isObject(answer) && typeof answer.elementsTotal === "number" ? answer.elementsTotal : undefined;
      if (Array.isArray(answer) || added === 0 || items.length < PAGE_SIZE || (total !== undefined && all.length >= total)) return all;
    }
    return all;
  }

  /** Creates a listener: `{ uri, subscriptions: [eventCode, ...] }` → `{ id, uri, subscriptions }`. */
  async createWebhook(listener) {
    const body = webhookRequest(listener, "createWebhook");
    const path = "/api/v1/account/webhooks";
    return this.#webhook(await this.#call("POST", path, body), "POST", path);
  }

  /** One listener by id. */
  async getWebhook(id) {
    const path = `/api/v1/account/webhooks/${webhookId(id, "getWebhook")}`;
    return this.#webhook(await this.#call("GET", path), "GET", path);
  }

  /** Replaces a listener's `uri` and `subscriptions`. */
  async updateWebhook(id, listener) {
    const path = `/api/v1/account/webhooks/${webhookId(id, "updateWebhook")}`;
    await this.#call("PUT", path, webhookRequest(listener, "updateWebhook"));
  }

  /** Deletes a listener. */
  async deleteWebhook(id) {
    await this.#call("DELETE", `/api/v1/account/webhooks/${webhookId(id, "deleteWebhook")}`);
  }

  /** Asks Zentitle to send the test event (empty payload, `resourceId` = the listener id) to a listener. */
  async testWebhook(id) {
    await this.#call("POST", `/api/v1/account/webhooks/${webhookId(id, "testWebhook")}/test`);
  }

  /** The event codes the account can subscribe to: `[{ code, type?, description? }]`. */
  async listEventCodes() {
    const path = "/api/v1/account/webhooks/events";
    const answer = await this.#call("GET", path);
    const items = listItems(answer);
    if (items === undefined) throw this.#invalid("GET", path, "the list is neither { items: [...] } nor an array");
    return items.map((item) => {
      if (!isObject(item) || typeof item.code !== "string") throw this.#invalid("GET", path, "an event type has no code");
      const out = { code: item.code };
      if (typeof item.type === "string") out.type = item.type;
      if (typeof item.description === "string") out.description = item.description;
      return out;
    });
  }

  /** Forgets the cached token (the next call fetches a new one). */
  clearToken() {
    this.#token = undefined;
  }

  toJSON() {
    return { baseUrl: this.#o.baseUrl, tenantId: this.#o.tenantId, clientId: this.#o.clientId };
  }

  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `ZentitleClient { baseUrl: ${JSON.stringify(this.#o.baseUrl)}, tenantId: ${JSON.stringify(this.#o.tenantId)} }`;
  }

  #webhook(item, method, path) {
    if (!isObject(item) || !Array.isArray(item.subscriptions) || item.subscriptions.some((s) => typeof s !== "string")) {
      throw this.#invalid(method, path, "a listener has no subscriptions list");
    }
    if (item.id !== undefined && typeof item.id !== "string") throw this.#invalid(method, path, "a listener's id is not a string");
    if (item.uri !== undefined && typeof item.uri !== "string") throw this.#invalid(method, path, "a listener's uri is not a string");
    return { id: item.id, uri: item.uri, subscriptions: [...item.subscriptions] };
  }

  #invalid(method, path, what) {
    return new ZentitleApiError("invalid_response", `${MESSAGES.invalid_response} ${method} ${pathOnly(path)}: ${what}.`, 200, {
      method,
      path: pathOnly(path),
    });
  }

  #log(line) {
    if (this.#o.log === undefined) return;
    try {
      this.#o.log(this.#redact(line));
    } catch {
      // A logger's own failure changes nothing about the call.
    }
  }

  /** Removes the secret and the current token from a text that may have come from outside. */
  #redact(text) {
    let out = String(text);
    for (const secret of [this.#o.clientSecret, this.#token?.value]) {
      if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  /** A valid access token: the cached one, or one fetch shared by every caller. */
  async #accessToken() {
    const cached = this.#token;
    if (cached !== undefined && Date.now() < cached.expiresAt) return cached.value;
    if (this.#tokenFetch === undefined) {
      this.#tokenFetch = this.#fetchToken().finally(() => {
        this.#tokenFetch = undefined;
      });
    }
    return this.#tokenFetch;
  }

  async #fetchToken() {
    const o = this.#o;
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: o.clientId, client_secret: o.clientSecret });
    if (o.scope) form.set("scope", o.scope);
    const started = Date.now();
    // Redirects are not followed: a 307 or 308 would carry the secret in the body to another host.
    const response = await this.#send("POST", o.tokenUrl, "token", { idempotent: true, auth: false, form: form.toString(), redirect: "manual" });
    if (!response.ok) {
      const status = response.status;
      if ((status >= 300 && status < 400) || response.type === "opaqueredirect") {
        throw new ZentitleApiError(
          "bad_request",
          "The token endpoint answered with a redirect, which is not followed (it would carry the secret elsewhere): give the final token URL.",
          status,
          {
            method: "POST",
            path: "token",
          },
        );
      }
      const code = status === 400 || status === 401 ? "unauthorized" : codeOfStatus(status);
      const message = code === "unauthorized" ? MESSAGES.token_refused : `${MESSAGES[code]} (token endpoint, HTTP ${status})`;
      throw new ZentitleApiError(code, message, status, { method: "POST", path: "token", detail: await this.#detail(response) });
    }
    const answer = await this.#json(response, "POST", "token");
    if (!isObject(answer) || typeof answer.access_token !== "string" || answer.access_token === "") {
      throw new ZentitleApiError("invalid_response", `${MESSAGES.invalid_response} The token endpoint's answer has no access_token.`, response.status, {
        method: "POST",
        path: "token",
      });
    }
    const lifetime = typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in : DEFAULT_TOKEN_SECONDS;
    const margin = Math.min(TOKEN_MARGIN_SECONDS, lifetime * 0.1);
    this.#token = { value: answer.access_token, expiresAt: started + (lifetime - margin) * 1000 };
    this.#log(`token: new access token, valid ${lifetime} s`);
    return answer.access_token;
  }

  /** One API call: token, 401 refresh once, the retry policy; resolves to the parsed JSON (or undefined for an empty answer). */
  async #call(method, path, body) {
    const idempotent = method !== "POST";
    let refreshed = false;
    for (;;) {
      const token = await this.#accessToken();
      const response = await this.#send(method, this.#o.baseUrl + path, path, { idempotent, token, json: body });
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        await response.body?.cancel?.().catch(() => {});
        if (this.#token?.value === token) this.#token = undefined;
        this.#log(`${method} ${pathOnly(path)} -> 401: fetching a new token once`);
        continue;
      }
      if (!response.ok) {
        const status = response.status;
        const code = codeOfStatus(status);
        throw new ZentitleApiError(code, `${MESSAGES[code]} (${method} ${pathOnly(path)}, HTTP ${status})`, status, {
          method,
          path: pathOnly(path),
          detail: await this.#detail(response),
          retryAfterSeconds: status === 429 ? retryAfterSeconds(response.headers.get("retry-after")) : undefined,
        });
      }
      if (response.status === 204) return undefined;
      const text = await this.#text(response, method, path);
      if (text.trim() === "") return undefined;
      return this.#parse(text, response.status, method, path);
    }
  }

  /**
   * Sends one request with the retry policy: 429 (Retry-After, bounded) for every method; 5xx,
   * timeouts and network errors only when `idempotent`. Resolves to the final Response, which
   * may be an error status; throws `network_error`/`timeout` when no answer came.
   */
  async #send(method, url, path, { idempotent, token, json, form, auth = true, redirect = "follow" }) {
    const o = this.#o;
    const headers = { accept: "application/json" };
    if (auth) {
      headers.authorization = `Bearer ${token}`;
      headers["n-tenantid"] = o.tenantId;
      if (o.apiVersion) headers["n-api-version"] = o.apiVersion;
    }
    let body;
    if (json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = form;
    }
    const where = `${method} ${pathOnly(path)}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt > o.retries;
      let response;
      let failure;
      const controller = typeof AbortController === "function" ? new AbortController() : undefined;
      const timer = setTimeout(() => controller?.abort(), o.timeoutMs);
      try {
        response = await o.fetch(url, { method, headers, body, signal: controller?.signal, redirect });
      } catch (error) {
        failure = controller?.signal.aborted ? "timeout" : "network_error";
        if (last || !idempotent) {
          clearTimeout(timer);
          throw new ZentitleApiError(failure, `${MESSAGES[failure]} (${where})`, 0, { method, path: pathOnly(path), cause: this.#safeCause(error) });
        }
      } finally {
        clearTimeout(timer);
      }
      let waitMs;
      if (response !== undefined) {
        const status = response.status;
        if (status === 429) {
          const asked = retryAfterSeconds(response.headers.get("retry-after"));
          if (last || (asked !== undefined && asked * 1000 > o.maxRetryAfterMs)) return response;
          waitMs = asked !== undefined ? asked * 1000 : this.#backoff(attempt);
          this.#log(`${where} -> 429: waiting ${(waitMs / 1000).toFixed(1)} s (Retry-After ${asked ?? "absent"}), attempt ${attempt + 1} of ${o.retries + 1}`);
        } else if (status >= 500 && idempotent && !last) {
          waitMs = this.#backoff(attempt);
          this.#log(`${where} -> ${status}: retrying in ${(waitMs / 1000).toFixed(2)} s, attempt ${attempt + 1} of ${o.retries + 1}`);
        } else {
          this.#log(`${where} -> ${status}`);
          return response;
        }
        await response.body?.cancel?.().catch(() => {});
      } else {
        waitMs = this.#backoff(attempt);
        this.#log(`${where} -> ${failure}: retrying in ${(waitMs / 1000).toFixed(2)} s, attempt ${attempt + 1} of ${o.retries + 1}`);
      }
      await sleep(waitMs);
    }
  }

  /** Exponential back-off with full jitter: a random wait in [0, min(cap, base·2^(n-1))]. */
  #backoff(attempt) {
    const ceiling = Math.min(DEFAULTS.maxBackoffSeconds * 1000, this.#o.backoffMs * 2 ** (attempt - 1));
    return Math.random() * ceiling;
  }

  /** A network error's cause without anything from the request (only its name and code). */
  #safeCause(error) {
    const inner = error?.cause ?? error;
    const cause = new Error(this.#redact(inner?.code ?? inner?.name ?? "fetch failed"));
    cause.code = typeof inner?.code === "string" ? inner.code : undefined;
    return cause;
  }

  async #text(response, method, path) {
    try {
      return await response.text();
    } catch (error) {
      throw new ZentitleApiError("network_error", `${MESSAGES.network_error} (${method} ${pathOnly(path)}: the answer was cut off)`, response.status, {
        method,
        path: pathOnly(path),
        cause: this.#safeCause(error),
      });
    }
  }

  #parse(text, status, method, path) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ZentitleApiError("invalid_response", `${MESSAGES.invalid_response} ${method} ${pathOnly(path)}: the answer is not JSON.`, status, {
        method,
        path: pathOnly(path),
      });
    }
  }

  async #json(response, method, path) {
    return this.#parse(await this.#text(response, method, path), response.status, method, path);
  }

  /** A short description from an error answer (RFC 7807 `title`/`detail`, OAuth `error`), redacted; never the whole body. */
  async #detail(response) {
    let parsed;
    try {
      parsed = JSON.parse(await response.text());
    } catch {
      return undefined;
    }
    if (!isObject(parsed)) return undefined;
    const parts = [parsed.error, parsed.error_description, parsed.title, parsed.detail, parsed.message].filter((p) => typeof p === "string");
    if (parts.length === 0) return undefined;
    return this.#redact(parts.join(": ")).slice(0, 300);
  }
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The items of a list answer: `{ items: [...] }` (the OpenAPI schema), `{ data: [...] }`, or a bare array. */
function listItems(answer) {
  if (Array.isArray(answer)) return answer;
  if (isObject(answer)) {
    if (Array.isArray(answer.items)) return answer.items;
    if (Array.isArray(answer.data)) return answer.data;
  }
  return undefined;
}

/** The path of a request without its query (for messages). */
function pathOnly(path) {
  return path.split("?")[0];
}

function webhookId(id, method) {
  if (typeof id !== "string" || !ID.test(id)) throw argumentError(`${method}(id): the listener id must be a string such as "whl_CNrc8PbApEapAfJQN15aIA".`);
  return encodeURIComponent(id);
}

/** `{ uri, subscriptions }` checked as CreateWebhookApiRequest says (uri 1..2048 chars, at least one code). */
function webhookRequest(listener, method) {
  if (!isObject(listener)) throw argumentError(`${method}: pass { uri, subscriptions: [eventCode, ...] }.`);
  const { uri, subscriptions } = listener;
  if (typeof uri !== "string" || uri.length === 0 || uri.length > 2048) throw argumentError(`${method}: uri must be a URL of 1 to 2048 characters.`);
  if (!Array.isArray(subscriptions) || subscriptions.length === 0 || subscriptions.some((s) => typeof s !== "string" || s === "")) {
    throw argumentError(`${method}: subscriptions must be a non-empty array of event codes.`);
  }
  return { uri, subscriptions: [...subscriptions] };
}

/**
 * A key source that follows the account's key: `zentitleKey(client, { cooldownSeconds = 60,
 * failureCooldownSeconds = 10 })`. Pass it as `key` to `WebhookVerifier` (its async methods)
 * or `WebhookReceiver`.
 *
 * - `getKey()`: the cached key; the first call fetches it (concurrent callers share one fetch).
 * - `refresh()`: fetches the key again, unless the last refresh fetched it less than
 *   `cooldownSeconds` ago (then the cached key is the answer): the verifier calls it when a
 *   signature was made by another key, so a flood of forged deliveries makes at most one fetch
 *   per cooldown (plus the first fetch).
 * - A failed fetch is not tried again for `failureCooldownSeconds`: its error is the answer
 *   meanwhile, to `getKey()` when no key is cached and to every `refresh()` (the verifier turns
 *   it into `key_unavailable`, HTTP 503, and Zentitle retries: a delivery whose key could not
 *   be fetched is never refused as forged).
 * - `fetches`: how many times the key was fetched (for metrics and tests).
 */
export function zentitleKey(client, options = {}) {
  let hasGetKey;
  try {
    hasGetKey = typeof client?.getKey === "function";
  } catch {
    hasGetKey = false;
  }
  if (!hasGetKey) throw argumentError("zentitleKey(client, options): client must be a ZentitleClient (anything with getKey()).");
  if (!isObject(options)) throw argumentError("zentitleKey(client, options): options must be an object.");
  for (const name of Object.keys(options)) {
    if (name !== "cooldownSeconds" && name !== "failureCooldownSeconds")
      throw argumentError(`zentitleKey: unknown option \`${name}\`. Known: cooldownSeconds, failureCooldownSeconds.`);
  }
  const seconds = (name, fallback) => {
    const value = options[name] ?? fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw argumentError(`zentitleKey: ${name} must be a number of seconds (0 or more).`);
    return value * 1000;
  };
  const cooldownMs = seconds("cooldownSeconds", 60);
  const failureCooldownMs = Math.min(seconds("failureCooldownSeconds", 10), cooldownMs || Infinity);
  let key;
  let lastRefresh = -Infinity;
  let lastError;
  let lastErrorAt = -Infinity;
  let inFlight;
  let fetches = 0;

  const fetchKey = () => {
    if (inFlight === undefined) {
      fetches++;
      inFlight = Promise.resolve()
        .then(() => client.getKey())
        .then(
          (fresh) => {
            key = fresh;
            lastError = undefined;
            return fresh;
          },
          (error) => {
            lastError = error;
            lastErrorAt = Date.now();
            throw error;
          },
        )
        .finally(() => {
          inFlight = undefined;
        });
    }
    return inFlight;
  };
  const failedRecently = () => lastError !== undefined && Date.now() - lastErrorAt < failureCooldownMs;

  return {
    async getKey() {
      if (inFlight !== undefined) return inFlight;
      if (key !== undefined) return key;
      if (failedRecently()) throw lastError;
      return fetchKey();
    },
    async refresh() {
      if (inFlight !== undefined) return inFlight;
      // After a failed fetch the cached key is not known to be current: answering it would
      // refuse (401) a delivery signed with a key we could not fetch. Its error is the answer
      // (503, Zentitle retries) until the failure cooldown lets one fetch through.
      if (lastError !== undefined) {
        if (failedRecently()) throw lastError;
      } else if (key !== undefined && Date.now() - lastRefresh < cooldownMs) {
        return key;
      }
      lastRefresh = Date.now();
      return fetchKey();
    },
    get fetches() {
      return fetches;
    },
  };
}
