// Time of one verification of a signed 2 KB body: zentitle-webhooks beside Node's
// crypto.verify with a cached KeyObject (native OpenSSL), measured in the same run.
// Prints each median of several rounds and the ratio; absolute times vary between runs.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";

import { WebhookVerifier } from "zentitle-webhooks";

const keyFile = (name) => readFileSync(new URL(`../examples/keys/${name}`, import.meta.url), "utf8");
const privateKey = createPrivateKey(keyFile("demo.key.pem"));
const publicKey = createPublicKey(privateKey);
const verifier = new WebhookVerifier({ key: keyFile("demo.modulus.txt") });

const body = randomBytes(2048);
const signature = sign("sha256", body, privateKey);
const header = signature.toString("base64");

function timePerCall(fn, iterations) {
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - start) / iterations / 1000);
  }
  rounds.sort((a, b) => a - b);
  return rounds[3];
}

for (let i = 0; i < 500; i++) {
  if (!verifier.verifySignature(body, header) || !verify("sha256", body, publicKey, signature)) throw new Error("warm-up failed");
}
const ours = timePerCall(() => verifier.verifySignature(body, header), 2000);
const native = timePerCall(() => verify("sha256", body, publicKey, Buffer.from(header, "base64")), 2000);
console.log("verify of a 2 KB body, 2048-bit key (median of 7 rounds)");
console.log(`  zentitle-webhooks verifySignature   ${ours.toFixed(1).padStart(7)} µs`);
console.log(`  node:crypto verify (cached key)     ${native.toFixed(1).padStart(7)} µs`);
console.log(`  ratio ours / native                 ${(ours / native).toFixed(2).padStart(7)}×`);
