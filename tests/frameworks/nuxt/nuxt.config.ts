// The key comes from the environment at run time: NUXT_ZENTITLE_RSA_MODULUS overrides the
// empty default (on Workers, a variable or secret of that name).
export default defineNuxtConfig({
  compatibilityDate: "2026-11-01",
  runtimeConfig: { zentitleRsaModulus: "" },
  telemetry: false,
  nitro: { experimental: { wasm: true } },
});
