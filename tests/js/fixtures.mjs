// The OpenSSL-made vectors of tests/fixtures/, for the JavaScript tests of the built package.
import { readFileSync } from "node:fs";

const dir = new URL("../fixtures/", import.meta.url);

export const vectors = JSON.parse(readFileSync(new URL("vectors.json", dir), "utf8"));

export const body = (name) => readFileSync(new URL(`bodies/${name}`, dir));

export const keyFile = (file) => readFileSync(new URL(`keys/${file}`, dir));

/** Every form a user may hold the key in, as the JS API takes it. */
export function keyForms(name) {
  const text = (form) => keyFile(`${name}.${form}`).toString("utf8");
  return {
    "modulus string": text("modulus.txt"),
    "JWK object": JSON.parse(text("jwk.json")),
    "JWK text": text("jwk.json"),
    "SPKI PEM": text("spki.pem"),
    "PKCS#1 PEM": text("pkcs1.pem"),
    "SPKI DER Uint8Array": new Uint8Array(keyFile(`${name}.spki.der`)),
    "PKCS#1 DER Buffer": keyFile(`${name}.pkcs1.der`),
    "SPKI DER ArrayBuffer": new Uint8Array(keyFile(`${name}.spki.der`)).slice().buffer,
  };
}

/** The private key OpenSSL made for a fixture key (for Node's crypto.sign). */
export const privateKeyPem = (name) => keyFile(`${name}.key.pem`).toString("utf8");
