// The runtime's own RSA for the test kit, where it has one: key pairs from WebCrypto
// (`crypto.subtle.generateKey`, in every runtime the package supports) and synchronous
// signatures from `node:crypto` (Node, Deno, Bun), both native code and far faster than the
// kit's WebAssembly (which stays the fallback, and the one source of coded errors: a key the
// runtime does not take is handed to it, so bad keys are refused the same way everywhere).
import { strictText } from "./text.mjs";

/** What the entry installed: `subtle` (WebCrypto) and `signer` (sync, or undefined). */
const native = { subtle: undefined, signer: undefined };

/**
 * Installs the runtime's RSA: `subtle` (a WebCrypto `SubtleCrypto`, for key generation) and,
 * where the runtime has synchronous RSA, `createPrivateKey` and `sign` of `node:crypto`.
 */
export function provideNativeRsa({ subtle, createPrivateKey, sign }) {
  native.subtle = subtle;
  native.signer = createPrivateKey && sign ? nodeSigner(createPrivateKey, sign) : undefined;
}

/** WebCrypto of the global scope (browsers, workerd, Deno, Bun, Node 19+), if any. */
function globalSubtle() {
  try {
    return globalThis.crypto?.subtle;
  } catch {
    return undefined;
  }
}

/** Parsed private keys, most recent last: parsing costs more than a signature. */
const MAX_KEYS = 8;

function nodeSigner(createPrivateKey, sign) {
  const keys = new Map();
  const parse = (bytes) => {
    let pem;
    try {
      pem = strictText(bytes);
    } catch {
      pem = undefined; // DER
    }
    // PEM from an environment variable often has its line breaks written as "\n".
    pem = pem?.trim().replaceAll("\\n", "\n");
    const attempts = pem?.startsWith("-----BEGIN ")
      ? [{ key: pem, format: "pem" }]
      : pem === undefined || !pem.includes("-----")
        ? [
            { key: bytes, format: "der", type: "pkcs8" },
            { key: bytes, format: "der", type: "pkcs1" },
          ]
        : [];
    for (const attempt of attempts) {
      try {
        const key = createPrivateKey(attempt);
        // Only plain RSA keys; anything else goes to the kit, which says what is wrong.
        if (key.asymmetricKeyType === "rsa") return key;
      } catch {
        // not this form
      }
    }
    return undefined;
  };
  return (keyBytes, body) => {
    const id = bytesKey(keyBytes);
    let key = keys.get(id);
    if (key === undefined) {
      key = parse(keyBytes) ?? null;
      if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value);
      keys.set(id, key);
    }
    if (key === null) return undefined;
    return base64(sign("sha256", body, key));
  };
}

/** A Map key for a key's bytes (they are at most 64 KiB). */
function bytesKey(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return s;
}

/** Standard base64 with padding (`Buffer`'s in Node-like runtimes, else `btoa`). */
function base64(bytes) {
  if (typeof bytes.toString === "function" && bytes.constructor?.name === "Buffer") return bytes.toString("base64");
  return btoa(bytesKey(bytes));
}

/**
 * The `N-Signature` value of `body` by the runtime's synchronous RSA, or `undefined` where it
 * has none or does not take the key (the caller then signs with the kit's WebAssembly).
 */
export function nativeSign(keyBytes, body) {
  return native.signer?.(keyBytes, body);
}

/**
 * A key pair of `bits` from WebCrypto, in the kit's shape, or `undefined` where the runtime
 * has no WebCrypto RSA.
 */
export async function nativeKeyPair(bits) {
  const subtle = native.subtle ?? globalSubtle();
  if (subtle === undefined) return undefined;
  let pair;
  try {
    pair = await subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, [
      "sign",
      "verify",
    ]);
  } catch {
    return undefined; // a runtime without RSA key generation: the kit makes it
  }
  const [pkcs8, spki, jwk] = await Promise.all([
    subtle.exportKey("pkcs8", pair.privateKey),
    subtle.exportKey("spki", pair.publicKey),
    subtle.exportKey("jwk", pair.publicKey),
  ]);
  return {
    privateKeyPem: pem("PRIVATE KEY", new Uint8Array(pkcs8)),
    publicKeyPem: pem("PUBLIC KEY", new Uint8Array(spki)),
    modulus: jwk.n,
    jwk: { kty: "RSA", n: jwk.n, e: jwk.e },
  };
}

/** DER as PEM with 64-character lines, as OpenSSL and the kit write it. */
function pem(label, der) {
  const lines = base64(der)
    .match(/.{1,64}/g)
    .join("\n");
  return `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----\n`;
}
