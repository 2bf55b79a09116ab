// The www page's parser of a pasted raw HTTP request (www/raw-request.js, no DOM).
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseRawRequest } from "../../www/raw-request.js";

test("request line, headers (any case, repeated), blank line, body kept byte for byte", () => {
  const body = '{\r\n  "a": 1\r\n}\r\n\r\nafter a blank line\n';
  const parsed = parseRawRequest(`POST /hooks?x=1 HTTP/1.1\r\nHost: a.example\r\nN-Signature: abc=\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n${body}`);
  assert.equal(parsed.method, "POST");
  assert.equal(parsed.target, "/hooks?x=1");
  assert.equal(parsed.headers.get("n-signature"), "abc=");
  assert.equal(parsed.headers.get("x-dup"), "1, 2");
  assert.equal(parsed.body, body);
});

test("LF line ends, no request line, no body, a header value with colons", () => {
  const parsed = parseRawRequest("n-signature: a:b:c\nContent-Type: application/json\n\n{}");
  assert.equal(parsed.method, undefined);
  assert.equal(parsed.headers.get("n-signature"), "a:b:c");
  assert.equal(parsed.body, "{}");
  assert.deepEqual(parseRawRequest("POST / HTTP/2").body, "");
  assert.equal(parseRawRequest("").headers.size, 0);
});
