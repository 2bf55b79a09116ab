// SvelteKit 3 declares its environment variables: this one is private (server only) and read
// when the app starts, not inlined at build time. Optional here, since the build checks the
// declared variables and the key is a run-time secret: unset, the receiver refuses deliveries
// with invalid_key ("The key is empty").
import { defineEnvVars } from "@sveltejs/kit/env";

export const variables = defineEnvVars({
  ZENTITLE_RSA_MODULUS: {
    description: "The Zentitle account's RSA modulus (base64url), as Zentitle shows it.",
    schema: (value) => value ?? "",
  },
});
