// The one reporting path of the receiver: every delivery that does not end in "processed" or
// "duplicate" passes here, whether the flow or an adapter (405, 413) decided it. It goes to the
// `onError` handlers and, when none is registered (or a `logger` was given), to one log line:
// outcome, code, eventId and hint. Never the body, the key or the signature; a refused
// delivery's eventId is not printed at all (it is whatever an unsigned body claims).
import { argumentError, isOurs } from "../errors.mjs";
import { printable as clean } from "../printable.mjs";
import { guard } from "../read.mjs";

/** How long an answer waits for the onError handlers (they go on running after it). */
const REPORT_WAIT_MS = 2000;

/** The log level of each outcome: what needs a person, what is expected traffic. */
const LEVEL = {
  refused: "warn",
  busy: "info",
  unhandled: "info",
  unfit: "error",
  failed: "error",
  timeout: "error",
  lease_lost: "error",
  store_error: "error",
  key_unavailable: "error",
  // Inbox workers (lib/inbox-mode.mjs).
  retry: "warn",
  dead: "error",
  inbox_error: "error",
};

export class Reporter {
  #handlers = [];
  /** `undefined`: console while no onError is registered; `null`: silent; else the caller's. */
  #logger;

  constructor(logger) {
    this.#logger = readLogger(logger);
  }

  /** Whether anything takes the reports (onError handlers, or a logger): else no diagnosis is worth searching for. */
  get listening() {
    return this.#handlers.length > 0 || this.#logger !== null;
  }

  add(handler) {
    if (typeof handler !== "function") throw argumentError("onError(handler): handler must be a function.");
    this.#handlers.push(handler);
  }

  /**
   * Hands `error` and `info` to every onError handler, then logs; never throws. The answer waits
   * for the handlers at most REPORT_WAIT_MS: a hung error tracker must not hold every refused
   * delivery's connection open.
   */
  async report(error, info) {
    if (this.#handlers.length > 0) {
      const settled = Promise.allSettled(this.#handlers.map((handler) => Promise.resolve().then(() => handler(error, info))));
      let timer;
      const waited = new Promise((resolve) => {
        timer = setTimeout(resolve, REPORT_WAIT_MS);
      });
      // An error handler's own failure, or slowness, changes nothing about the answer.
      await Promise.race([settled, waited]).finally(() => clearTimeout(timer));
    }
    const logger = this.#logger === undefined ? (this.#handlers.length === 0 ? console : null) : this.#logger;
    if (logger === null) return;
    try {
      const level = LEVEL[info.outcome] ?? "warn";
      const write = typeof logger[level] === "function" ? logger[level] : logger.warn;
      write.call(logger, logLine(error, info));
    } catch {
      // A logger that throws must not change the answer either.
    }
  }
}

/** `zentitle-webhooks: failed handler_failed event_… — message Hint: …` */
export function logLine(error, info) {
  const parts = [`zentitle-webhooks: ${info.outcome} ${info.code}`];
  if (info.eventId !== undefined && info.outcome !== "refused") parts.push(`eventId=${clean(info.eventId, 80)}`);
  if (info.eventCode !== undefined && info.outcome !== "refused") parts.push(`eventCode=${clean(info.eventCode, 80)}`);
  if (info.mismatch !== undefined && info.outcome === "refused") parts.push(`mismatch=${info.mismatch}`);
  let line = parts.join(" ");
  const message = isOurs(error) ? error.message : undefined;
  if (message) line += ` — ${clean(message, 400)}`;
  // A handler's own exception: its name and message (the application's words), bounded.
  const cause = isOurs(error) ? error.cause : undefined;
  if (cause instanceof Error) line += ` (cause: ${clean(`${cause.name}: ${cause.message}`, 200)})`;
  const hint = isOurs(error) ? error.hint : undefined;
  if (hint && !message?.includes(hint)) line += ` Hint: ${clean(hint, 400)}`;
  return line;
}

function readLogger(logger) {
  if (logger === undefined) return undefined;
  if (logger === false || logger === null) return null;
  return guard("options.logger", () => {
    if ((typeof logger !== "object" && typeof logger !== "function") || typeof logger.warn !== "function" || typeof logger.error !== "function") {
      throw argumentError("options.logger must have warn() and error() methods (console, pino, ...), or be false to log nothing.");
    }
    return logger;
  });
}
