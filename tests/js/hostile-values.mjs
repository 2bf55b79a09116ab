// Hostile values a careless or malicious caller can pass: shared by the hostile-value table
// and the property test.
const boom = () => {
  throw new Error("hostile");
};
export const throwingTraps = {
  get: boom,
  set: boom,
  has: boom,
  ownKeys: boom,
  getOwnPropertyDescriptor: boom,
  getPrototypeOf: boom,
  defineProperty: boom,
  deleteProperty: boom,
  apply: boom,
  construct: boom,
  isExtensible: boom,
  preventExtensions: boom,
  setPrototypeOf: boom,
};
const names = [
  "key",
  "keys",
  "now",
  "maxAgeSeconds",
  "maxBodyBytes",
  "minKeyBits",
  "n-signature",
  "N-Signature",
  "get",
  "bits",
  "privateKey",
  "eventCode",
  "body",
  "event",
  "overrides",
  "url",
  "arrayBuffer",
  "headers",
  "bodyUsed",
  "id",
  "length",
  "then",
  "toJSON",
];

/** The table: a fresh set of hostile values, by what they are. */
export function hostileValues(signature = "x") {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const getters = {};
  for (const name of names) Object.defineProperty(getters, name, { get: boom, enumerable: true });
  const throwingArray = [signature];
  Object.defineProperty(throwingArray, 0, { get: boom });
  const date = new Date();
  date.getTime = boom;
  date.valueOf = boom;
  Object.defineProperty(date, Symbol.toPrimitive, { value: boom });
  const longView = new Uint8Array(16);
  Object.defineProperty(longView, "length", { get: () => 2 ** 32 - 1 });
  Object.defineProperty(longView, "byteLength", { get: () => 2 ** 32 - 1 });
  const throwingView = new Uint8Array(16);
  Object.defineProperty(throwingView, "byteLength", { get: boom });
  Object.defineProperty(throwingView, "buffer", { get: boom });
  Object.defineProperty(throwingView, "byteOffset", { get: boom });
  const dataView = new DataView(new ArrayBuffer(8));
  Object.defineProperty(dataView, "byteLength", { get: () => 2 ** 32 - 1 });
  class HostileMap extends Map {
    get() {
      boom();
    }
    has() {
      boom();
    }
    forEach() {
      boom();
    }
    entries() {
      boom();
    }
    keys() {
      boom();
    }
    [Symbol.iterator]() {
      boom();
    }
  }
  const detached = new ArrayBuffer(32);
  structuredClone(detached, { transfer: [detached] });
  return {
    "Proxy with throwing traps": new Proxy({}, throwingTraps),
    "Proxy over an array with throwing traps": new Proxy([signature], throwingTraps),
    "revoked Proxy": revoked.proxy,
    "revoked Proxy of an array": revokedArray.proxy,
    "object whose getters throw": getters,
    "array whose element getter throws": throwingArray,
    "Date whose getTime/valueOf throw": date,
    "Uint8Array with length overridden to 2**32-1": longView,
    "Uint8Array whose byteLength getter throws": throwingView,
    "DataView with byteLength overridden": dataView,
    "Map subclass with throwing methods": new HostileMap([["n-signature", signature]]),
    "detached ArrayBuffer": detached,
    "Uint8Array over a detached buffer": (() => {
      const b = new ArrayBuffer(8);
      const v = new Uint8Array(b);
      structuredClone(b, { transfer: [b] });
      return v;
    })(),
    "object with a throwing toJSON": { toJSON: boom },
    "object with a throwing Symbol.toPrimitive": { [Symbol.toPrimitive]: boom, toString: boom, valueOf: boom },
    "function whose getters throw": Object.defineProperties(() => {}, { get: { get: boom }, remember: { get: boom } }),
  };
}
