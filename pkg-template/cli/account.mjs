// `zentitle-webhooks account key [--jwk | --pem] [--json]`: the account's signing key from the
// Management API, in the form a verifier is given: the modulus (what the Zentitle UI shows as
// "RSA Modulus (n)"), the JWK, or a PEM public key.
import { createPublicKey } from "node:crypto";
import { parseArgs } from "node:util";

import { ENVIRONMENT_HELP, apiErrorText, clientFromEnv } from "./zentitle-env.mjs";

export const ACCOUNT_HELP = `Usage: zentitle-webhooks account key [--jwk | --pem] [--json]

Prints the Zentitle account's public signing key, fetched from the Management API
(GET /api/v1/account/key): by default the modulus, base64url (the "RSA Modulus (n)" of the
Zentitle UI, which the verifier takes as it is); --jwk the JWK; --pem a PEM public key (SPKI).

${ENVIRONMENT_HELP}`;

/** Runs `account <args>`; resolves to the exit status (0 done, 1 the API failed, 2 usage). */
export async function account(args, { out = process.stdout, err = process.stderr, env = process.env } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { jwk: { type: "boolean" }, pem: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (error) {
    err.write(`${error.message}\n\n${ACCOUNT_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${ACCOUNT_HELP}\n`);
    return 0;
  }
  if (positionals[0] !== "key" || positionals.length > 1) {
    err.write(`${positionals[0] ? `Unknown account command "${positionals.join(" ")}".` : "Which account command?"}\n\n${ACCOUNT_HELP}\n`);
    return 2;
  }
  if (values.jwk && values.pem) {
    err.write("Give --jwk or --pem, not both.\n");
    return 2;
  }
  let usage;
  const client = clientFromEnv((message) => (usage = message), { env });
  if (usage) {
    err.write(`${usage}\n`);
    return 2;
  }
  let jwk;
  try {
    jwk = await client.getKey();
  } catch (error) {
    err.write(`${apiErrorText(error)}\n`);
    return 1;
  }
  const pem = () =>
    createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: "jwk" })
      .export({ type: "spki", format: "pem" })
      .trim();
  if (values.json) out.write(`${JSON.stringify(values.pem ? { pem: pem() } : values.jwk ? jwk : { modulus: jwk.n, exponent: jwk.e, jwk }, null, 2)}\n`);
  else if (values.jwk) out.write(`${JSON.stringify(jwk)}\n`);
  else if (values.pem) out.write(`${pem()}\n`);
  else out.write(`${jwk.n}\n`);
  return 0;
}
