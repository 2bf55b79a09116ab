// The wasm ABI pinned: the functions each built module exports, with their arity, are exactly
// the list the JavaScript layer calls them by (pkg-template/lib/abi.mjs), and a module that
// differs is refused at load with a clear error instead of being called wrongly.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { abiMismatch, KIT_EXPORTS, VERIFY_EXPORTS } from "../../pkg/lib/abi.mjs";
import { core } from "../../pkg/lib/core.mjs";
import { kit } from "../../pkg/lib/testing-core.mjs";

const pkg = new URL("../../pkg/", import.meta.url);
const modules = {
  "zentitle_webhooks.wasm": [VERIFY_EXPORTS, new WebAssembly.Module(readFileSync(new URL("wasm/zentitle_webhooks.wasm", pkg)))],
  "zentitle_webhooks_testing.wasm": [KIT_EXPORTS, new WebAssembly.Module(readFileSync(new URL("wasm/zentitle_webhooks_testing.wasm", pkg)))],
};

for (const [file, [expected, module]] of Object.entries(modules)) {
  test(`${file}: its functions and their arity are abi.mjs's list, no more, no fewer`, () => {
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === "function")
      .map((e) => e.name)
      .sort();
    assert.deepEqual(functions, Object.keys(expected).sort());
    assert.ok(WebAssembly.Module.exports(module).some((e) => e.kind === "memory" && e.name === "memory"));
    const { exports } = new WebAssembly.Instance(module, {});
    const arity = Object.fromEntries(functions.map((name) => [name, exports[name].length]));
    assert.deepEqual(arity, { ...expected });
    assert.equal(abiMismatch(exports, expected), undefined);
  });
}

test("a module whose exports differ from the list is refused at load, naming the difference", () => {
  const verifyModule = modules["zentitle_webhooks.wasm"][1];
  const kitModule = modules["zentitle_webhooks_testing.wasm"][1];
  core.load(verifyModule);
  // The test kit's module has functions the verifier's list does not know.
  assert.throws(() => core.load(kitModule), {
    name: "TypeError",
    code: "invalid_argument",
    message: /exports a function zt_\w+ this JavaScript does not know/,
  });
  // The verifier's lacks the kit's.
  assert.throws(() => kit.load(verifyModule), { name: "TypeError", code: "invalid_argument", message: /lacks the function zt_/ });
  // An arity that differs, on an instance's exports as the load sees them.
  const { exports } = new WebAssembly.Instance(verifyModule, {});
  const changed = { ...VERIFY_EXPORTS, zw_parse_event: 2 };
  assert.match(abiMismatch(exports, changed), /zw_parse_event takes 1 parameter\(s\), not 2/);
  // The instance loaded before still works.
  core.run((wasm) => assert.ok(wasm.zw_error_count() > 0));
});
