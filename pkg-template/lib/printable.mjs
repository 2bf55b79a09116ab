// Text from outside (an event code, an eventId, a handler's error message) made safe to put in
// a message or a log line: bounded in length, and every character a terminal or a log viewer
// could interpret or hide — C0 and C1 controls, DEL, bidirectional marks, overrides and
// isolates, zero-width characters, line and paragraph separators, BOM — written as a `\uXXXX`
// escape instead.

/** `text` with control and bidi characters escaped, cut to `max` characters (then `…`). */
export function printable(text, max = 200) {
  const s = String(text);
  const short = s.length > max ? s.slice(0, max) : s;
  let out = "";
  for (let i = 0; i < short.length; i++) {
    const c = short.charCodeAt(i);
    out += interpretable(c) ? `\\u${c.toString(16).padStart(4, "0")}` : short[i];
  }
  return s.length > max ? `${out}…` : out;
}

function interpretable(c) {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    (c >= 0x200b && c <= 0x200f) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0xfeff ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}
