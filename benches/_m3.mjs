import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { WebhookVerifier } from "zentitle-webhooks";
const pem = readFileSync("examples/keys/demo.key.pem", "utf8");
const priv = createPrivateKey(pem); const pub = createPublicKey(priv);
const v = new WebhookVerifier({ key: readFileSync("examples/keys/demo.modulus.txt", "utf8").trim() });
const body = Buffer.alloc(2048, 97); const sig = sign("sha256", body, priv); const sigB64 = sig.toString("base64");
function time(fn, n) { for (let i = 0; i < n / 5; i++) fn(); const r = []; for (let k = 0; k < 7; k++) { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); r.push(Number(process.hrtime.bigint() - t) / n / 1000); } return r.sort((a, b) => a - b)[3]; }
for (let k = 0; k < 2; k++) {
const ours = time(() => v.verifySignature(body, sigB64), 2000);
const node = time(() => verify("sha256", body, pub, sig), 5000);
console.log(ours.toFixed(1), node.toFixed(1), (ours / node).toFixed(2));
}
