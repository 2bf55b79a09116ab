// The key comes from the environment at run time: NUXT_ZENTITLE_RSA_MODULUS overrides the
// empty default (on Workers, a variable or secret of that name). `experimental.wasm` lets
// Nitro bundle the package's .wasm for the Workers presets (its entry there imports the
// compiled module); Node presets do not need it.
export default defineNuxtConfig({
  compatibilityDate: "2026-11-01",
  runtimeConfig: { zentitleRsaModulus: "" },
  nitro: { experimental: { wasm: true } },
  telemetry: false,
});
