// Public types of zentitle-webhooks/management: the Management API client and the key source.
// The models follow the Management API's OpenAPI schemas (JWK, WebhookModel,
// CreateWebhookApiRequest, UpdateWebhookApiRequest, WebhookEventTypeModel).

import type { KeySource, RsaJsonWebKey } from "./index.js";

export interface ZentitleClientOptions {
  /** The tenant's OAuth 2.0 token endpoint, e.g. `https://{tenant}.keycloak.nalpeiron.io/realms/{tenant}/protocol/openid-connect/token`. */
  tokenUrl: string;
  /** The API client's id (client credentials). */
  clientId: string;
  /** The API client's secret: kept private, never in a message, log line or error. */
  clientSecret: string;
  /** The tenant id (`t_...`), sent as `N-TenantId`. */
  tenantId: string;
  /** The tenant's API, e.g. `https://{tenant}.api.nalpeiron.io`. */
  baseUrl: string;
  /** The `fetch` to use (default: the runtime's). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Sent as `N-Api-Version` when given (Nalpeiron's own integration sends `2024-05-01-alpha`). */
  apiVersion?: string;
  /** The token request's scope (default `"openid"`; `null` sends none). */
  scope?: string | null;
  /** Retries after a 429, and (safe calls only: GET, PUT, DELETE, the token) after a 5xx, timeout or network error. Default 3. */
  retries?: number;
  /** Each request's time limit. Default 15. */
  timeoutSeconds?: number;
  /** The longest `Retry-After` waited for; a longer one fails with `rate_limited` at once. Default 30. */
  maxRetryAfterSeconds?: number;
  /** The first back-off step (doubled each retry, capped at 8 s, full jitter). Default 0.25. */
  backoffSeconds?: number;
  /** Receives one line per request outcome and retry (never a secret or token). */
  log?: (line: string) => void;
}

/** A webhook listener (`WebhookModel`). */
export interface WebhookListener {
  /** `whl_...` (or `wh_...`). */
  id: string | undefined;
  /** Where Zentitle posts (at most 2048 characters). */
  uri: string | undefined;
  /** The event codes it receives. */
  subscriptions: string[];
}

/** What `createWebhook` and `updateWebhook` take (`CreateWebhookApiRequest`). */
export interface WebhookListenerInput {
  /** 1 to 2048 characters. */
  uri: string;
  /** At least one event code. */
  subscriptions: readonly string[];
}

/** A subscribable event (`WebhookEventTypeModel`). */
export interface WebhookEventType {
  code: string;
  /** `"entitlementGroup"`, `"entitlement"` or `"customer"` (more may come). */
  type?: string;
  description?: string;
}

/** Every code a `ZentitleApiError` carries. */
export type ZentitleApiErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "bad_request"
  | "rate_limited"
  | "server_error"
  | "network_error"
  | "timeout"
  | "invalid_response";

/** A failed Management API call. Its message, detail and cause never contain the client secret or a token. */
export class ZentitleApiError extends Error {
  readonly name: "ZentitleApiError";
  readonly code: ZentitleApiErrorCode;
  /** The HTTP status Zentitle answered with; 0 when no answer came. */
  readonly status: number;
  readonly method: string | undefined;
  /** The API path (no query), or `"token"` for the token endpoint. */
  readonly path: string | undefined;
  /** For `rate_limited`: the wait Zentitle asked for, if it said. */
  readonly retryAfterSeconds: number | undefined;
  /** A short description from the error answer (`error`, `title`, `detail`), when it had one. */
  readonly detail: string | undefined;
  constructor(
    code: ZentitleApiErrorCode,
    message: string,
    status: number,
    info?: { method?: string; path?: string; retryAfterSeconds?: number; detail?: string; cause?: unknown },
  );
}

/** The Zentitle2 Management API: token cached and shared, 401 refreshed once, 429 and 5xx retried (see the options). */
export class ZentitleClient {
  /** @throws {TypeError} `invalid_argument` for missing or wrong options. */
  constructor(options: ZentitleClientOptions);
  /** `GET /api/v1/account/key`: the account's signing key as a JWK (scope api:admin). */
  getKey(): Promise<RsaJsonWebKey>;
  /** `GET /api/v1/account/webhooks`, every page. */
  listWebhooks(): Promise<WebhookListener[]>;
  /** `POST /api/v1/account/webhooks` (not retried on 5xx or network errors: it may have been done). */
  createWebhook(listener: WebhookListenerInput): Promise<WebhookListener>;
  /** `GET /api/v1/account/webhooks/{id}`. */
  getWebhook(id: string): Promise<WebhookListener>;
  /** `PUT /api/v1/account/webhooks/{id}`. */
  updateWebhook(id: string, listener: WebhookListenerInput): Promise<void>;
  /** `DELETE /api/v1/account/webhooks/{id}`. */
  deleteWebhook(id: string): Promise<void>;
  /** `POST /api/v1/account/webhooks/{id}/test`: Zentitle sends the test event (empty payload) to the listener. */
  testWebhook(id: string): Promise<void>;
  /** `GET /api/v1/account/webhooks/events`: the codes the account can subscribe to. */
  listEventCodes(): Promise<WebhookEventType[]>;
  /** Forgets the cached token. */
  clearToken(): void;
  /** `{ baseUrl, tenantId, clientId }`: no secret. */
  toJSON(): { baseUrl: string; tenantId: string; clientId: string };
}

export interface ZentitleKeyOptions {
  /** At most one refetch of the key per this many seconds, however many signatures fail. Default 60. */
  cooldownSeconds?: number;
  /** After a failed fetch, its error is the answer for this long (no new fetch). Default 10 (at most the cooldown). */
  failureCooldownSeconds?: number;
}

/** The key source `zentitleKey` returns. */
export interface ZentitleKeySource extends KeySource {
  getKey(): Promise<RsaJsonWebKey>;
  refresh(): Promise<RsaJsonWebKey>;
  /** How many times the key was fetched. */
  readonly fetches: number;
}

/**
 * A key source that follows the account's key: pass it as `key` to `WebhookReceiver` (or to
 * `WebhookVerifier` and use `verifyAsync`/`verifyRequest`). Fetched on first use, refetched
 * when a signature was made by another key, at most once per `cooldownSeconds`.
 */
export function zentitleKey(client: Pick<ZentitleClient, "getKey">, options?: ZentitleKeyOptions): ZentitleKeySource;
