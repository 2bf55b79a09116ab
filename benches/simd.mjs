// `make bench-simd`: the shipped verify .wasm against the same crate built with `+simd128`
// (target/simd/zentitle_webhooks.wasm, built by the make target), in one process and in
// alternating rounds: 2 KB verifySignature, each as a ratio to Node's crypto.verify. The SIMD
// build is not shipped (one .wasm serves every runtime, and Safari before 16.4 cannot compile
// SIMD); this measures what it would give.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";

import { WebhookVerifier } from "zentitle-webhooks";

import { core } from "../pkg/lib/core.mjs";

const root = new URL("../", import.meta.url);
const privateKey = createPrivateKey(readFileSync(new URL("examples/keys/demo.key.pem", root), "utf8"));
const publicKey = createPublicKey(privateKey);
const modulus = readFileSync(new URL("examples/keys/demo.modulus.txt", root), "utf8").trim();
const body = randomBytes(2048);
const signature = sign("sha256", body, privateKey);
const header = signature.toString("base64");
const modules = {
  shipped: new WebAssembly.Module(readFileSync(new URL("pkg/wasm/zentitle_webhooks.wasm", root))),
  simd128: new WebAssembly.Module(readFileSync(new URL("target/simd/zentitle_webhooks.wasm", root))),
};

function time(fn, n) {
  for (let i = 0; i < n / 5; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

const runs = { shipped: [], simd128: [], node: [] };
for (let round = 0; round < 7; round++) {
  for (const name of ["shipped", "simd128"]) {
    core.load(modules[name]);
    const verifier = new WebhookVerifier({ key: modulus });
    if (!verifier.verifySignature(body, header)) throw new Error(`${name}: the signature did not verify`);
    runs[name].push(time(() => verifier.verifySignature(body, header), 1000));
  }
  runs.node.push(time(() => verify("sha256", body, publicKey, signature), 3000));
}
const median = (xs) => xs.sort((a, b) => a - b)[3];
const node = median(runs.node);
for (const name of ["shipped", "simd128"]) {
  const us = median(runs[name]);
  console.log(`2 KB verifySignature, ${name.padEnd(8)} ${us.toFixed(1).padStart(6)} µs  ${(us / node).toFixed(2)}× crypto.verify (${node.toFixed(1)} µs)`);
}
