// A real Jest run, as Jest users test their handlers: the package required in Jest's `node`
// environment and in its `jsdom` environment (each a realm of its own, where `instanceof
// Uint8Array` against the package's realm fails).
module.exports = {
  rootDir: __dirname,
  testMatch: ["<rootDir>/*.test.cjs"],
  // jsdom's environment resolves the `browser` condition, whose entry is ESM with an async
  // init(); a Node test run wants the Node entry (the README says so).
  testEnvironmentOptions: { customExportConditions: ["node", "require", "default"] },
};
