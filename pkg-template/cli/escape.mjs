// Text from an unverified request, made safe to print to a terminal: anyone can post to a
// `listen` endpoint behind a tunnel, and the eventId or eventCode its body claims could hold
// escape sequences that erase the line, print a fake "verified" line or set the window title.
// Every control character (C0, DEL, C1), every bidirectional override or isolate and the
// line and paragraph separators are shown as escapes (`\x1b`, `\u202e`), never written as they
// are; everything else is kept.

/** Characters a terminal or a text renderer would interpret rather than show. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's job
const INTERPRETED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Those JSON.stringify leaves as they are (it escapes C0 controls itself). */
const LEFT_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (code, width) => code.toString(16).padStart(width, "0");

/** `text` with every interpreted character shown as an escape: `\x1b`, `\r`, `\u202e`. */
export function escapeForTerminal(text) {
  return String(text).replace(INTERPRETED, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

/**
 * `JSON.stringify(value, null, space)` with the characters JSON leaves as they are but a
 * terminal would interpret (DEL, C1 controls, bidirectional controls, line separators)
 * written as `\uXXXX` escapes: still JSON, and the same value when parsed.
 */
export function jsonForTerminal(value, space) {
  return JSON.stringify(value, null, space)?.replace(LEFT_BY_JSON, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}
