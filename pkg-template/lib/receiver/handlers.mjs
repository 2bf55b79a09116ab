// The receiver's handlers: who runs for which event code, and the one place they are run.
//
// `on()` refuses what would lose events without a word: a code that no Zentitle event carries
// (a typo such as "customer.create" would be answered 200 and marked done, so that its retries,
// once the typo is fixed, are duplicates), an empty list, a code listed twice. Codes newer than
// this package are accepted when the caller says so (`{ allowUnknownCode: true }`).
import { argumentError } from "../errors.mjs";
import { EVENT_CODES } from "../event-codes.mjs";
import { printable } from "../printable.mjs";
import { closest, guard } from "../read.mjs";

const KNOWN = new Set(EVENT_CODES);
/** Zentitle's codes are dotted lower-case words, e.g. `entitlement.seat.activated`. */
const CODE_SHAPE = /^[a-z0-9]+(\.[a-z0-9]+)+$/i;

export class Handlers {
  /** eventCode → handlers, in registration order */
  #byCode = new Map();
  #any = [];

  /** Registers `handler` for each code of `codes` (a string or an array of strings). */
  on(codes, handler, options) {
    const list = readCodes(codes, options);
    if (typeof handler !== "function") throw argumentError("on(eventCode, handler): handler must be a function.");
    for (const code of list) {
      if (!this.#byCode.has(code)) this.#byCode.set(code, []);
      this.#byCode.get(code).push(handler);
    }
  }

  onAny(handler) {
    if (typeof handler !== "function") throw argumentError("onAny(handler): handler must be a function.");
    this.#any.push(handler);
  }

  /** Whether any handler would run for an event of `code`. */
  handles(code) {
    return this.#byCode.has(code) || this.#any.length > 0;
  }

  /** Whether `on(code)` handlers exist for `code` (they need a payload that fits its type). */
  hasTyped(code) {
    return this.#byCode.has(code);
  }

  /**
   * Runs the event's handlers one after another: its code's, then `onAny`'s. An event whose
   * payload does not fit its code's type never reaches this point with `on(code)` handlers
   * registered (the flow refuses it first); for the others, `ctx.typed` says what it is.
   */
  async run(event, ctx) {
    // A code's handlers run for every event of it whose payload fits: typed for a known code,
    // plain JSON for a code registered with `allowUnknownCode`.
    if (ctx.mismatch === undefined) {
      for (const handler of this.#byCode.get(event.eventCode) ?? []) await handler(event, ctx);
    }
    for (const handler of this.#any) await handler(event, ctx);
  }
}

function readCodes(codes, options) {
  const allowUnknown = readAllowUnknown(options);
  const list = guard("on()'s event codes", () => {
    if (typeof codes === "string") return [codes];
    if (Array.isArray(codes)) return Array.from(codes);
    throw argumentError("on(eventCode | eventCodes, handler): give an event code (a string) or an array of them.");
  });
  if (list.length === 0) throw argumentError("on([], handler): the list of event codes is empty, so the handler would never run.");
  const unique = [];
  for (const code of list) {
    if (typeof code !== "string") throw argumentError("on(eventCodes, handler): every event code must be a string.");
    if (unique.includes(code)) continue; // listed twice: the handler still runs once per event
    if (!KNOWN.has(code)) {
      if (!allowUnknown) {
        const near = closest(code, EVENT_CODES);
        throw argumentError(
          `on("${printable(code, 64)}"): no Zentitle event has this code.${near ? ` Did you mean "${near}"?` : ""} ` +
            "For a code newer than this package, pass { allowUnknownCode: true } as the third argument.",
        );
      }
      if (!CODE_SHAPE.test(code)) throw argumentError(`on("${printable(code, 64)}"): an event code is dotted words, e.g. "customer.created".`);
    }
    unique.push(code);
  }
  return unique;
}

function readAllowUnknown(options) {
  if (options === undefined || options === null) return false;
  if (typeof options !== "object") throw argumentError("on(eventCode, handler, options): options must be an object.");
  const value = guard("on()'s options", () => options.allowUnknownCode);
  if (value !== undefined && typeof value !== "boolean") throw argumentError("on(...): options.allowUnknownCode must be a boolean.");
  return value === true;
}
