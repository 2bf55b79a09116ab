// The test kit's API, one list for every test-kit entry (which load its .wasm first).
export {
  buildSignedRequest,
  createTestEvent,
  generateTestKeyPair,
  signPayload,
  tamperBody,
  tamperSignature,
} from "./wasm/testing/zentitle_webhooks_testing.js";
