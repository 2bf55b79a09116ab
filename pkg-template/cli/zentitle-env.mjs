// The Management API client of the CLI's account, webhooks and listen --register commands,
// made from environment variables only: a secret on the command line is visible to every user
// of the machine (ps, /proc) and stays in shell history.
import { ZentitleApiError, ZentitleClient } from "../management.mjs";

/** The variables read, and what each holds. */
export const ENVIRONMENT = [
  ["ZENTITLE_TOKEN_URL", "the tenant's token endpoint, e.g. https://{tenant}.keycloak.nalpeiron.io/realms/{tenant}/protocol/openid-connect/token"],
  ["ZENTITLE_CLIENT_ID", "the API client's id"],
  ["ZENTITLE_CLIENT_SECRET", "the API client's secret"],
  ["ZENTITLE_TENANT_ID", "the tenant id (t_...)"],
  ["ZENTITLE_API_URL", "the tenant's API, e.g. https://{tenant}.api.nalpeiron.io"],
];
const OPTIONAL = [["ZENTITLE_API_VERSION", "sent as N-Api-Version when set (e.g. 2024-05-01-alpha)"]];

export const ENVIRONMENT_HELP = `Credentials (Management API, OAuth 2.0 client credentials) come from the environment only:
${[...ENVIRONMENT, ...OPTIONAL].map(([name, what]) => `  ${name.padEnd(24)}${what}`).join("\n")}`;

/** A client from the environment; `fail(message)`'s result when a variable is missing or wrong. */
export function clientFromEnv(fail, { env = process.env, log } = {}) {
  const missing = ENVIRONMENT.filter(([name]) => !env[name]).map(([name]) => name);
  if (missing.length > 0) return fail(`Set ${missing.join(", ")} in the environment (never on the command line).\n\n${ENVIRONMENT_HELP}`);
  try {
    return new ZentitleClient({
      tokenUrl: env.ZENTITLE_TOKEN_URL,
      clientId: env.ZENTITLE_CLIENT_ID,
      clientSecret: env.ZENTITLE_CLIENT_SECRET,
      tenantId: env.ZENTITLE_TENANT_ID,
      baseUrl: env.ZENTITLE_API_URL,
      apiVersion: env.ZENTITLE_API_VERSION || undefined,
      log,
    });
  } catch (error) {
    // The option names map to the variables; the message holds no value.
    return fail(
      error.message
        .replace("options.tokenUrl", "ZENTITLE_TOKEN_URL")
        .replace("options.baseUrl", "ZENTITLE_API_URL")
        .replace("new ZentitleClient(options): ", ""),
    );
  }
}

/** One line for a failed call (`error unauthorized (HTTP 401): ...`); no secret is ever in it. */
export function apiErrorText(error) {
  if (error instanceof ZentitleApiError) {
    return `error ${error.code}${error.status ? ` (HTTP ${error.status})` : ""}: ${error.message}${error.detail ? `\nZentitle said: ${error.detail}` : ""}`;
  }
  return `error${error?.code ? ` ${error.code}` : ""}: ${error?.message ?? String(error)}`;
}
