// A raw HTTP request as copied from a log or a tunnel inspector — request line, headers, a
// blank line, the body — split into its parts. No DOM: the page and the tests import it.

/**
 * `{ method, target, headers, body }`: `headers` a Map of lower-case names to values (a
 * repeated header joined with ", "), `body` the text after the first blank line, unchanged.
 * A paste without a request line (headers first) is accepted; `method` is then undefined.
 * @param {string} text
 */
export function parseRawRequest(text) {
  const blank = /\r?\n\r?\n/.exec(text);
  const head = blank ? text.slice(0, blank.index) : text;
  const body = blank ? text.slice(blank.index + blank[0].length) : "";
  const lines = head.replace(/^\s*\n/, "").split(/\r?\n/);
  let method;
  let target;
  const requestLine = /^([A-Z]+)\s+(\S+)(\s+HTTP\/[\d.]+)?\s*$/.exec(lines[0] ?? "");
  if (requestLine) {
    [, method, target] = requestLine;
    lines.shift();
  }
  const headers = new Map();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { method, target, headers, body };
}
