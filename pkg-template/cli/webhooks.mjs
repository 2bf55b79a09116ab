// `zentitle-webhooks webhooks list | create | delete | test | events`: the account's webhook
// listeners through the Management API; and the listener that `listen --register URL` keeps
// for the session (created at start, removed when listen stops, the test event on --test).
import { parseArgs } from "node:util";

import { EVENT_CODES } from "../lib/event-codes.mjs";
import { ENVIRONMENT_HELP, apiErrorText, clientFromEnv } from "./zentitle-env.mjs";

export const WEBHOOKS_HELP = `Usage: zentitle-webhooks webhooks <command> [--json]

  list                              the account's webhook listeners: id, URL, events
  create --url URL --events CODES   a listener for URL; CODES: comma-separated event codes, or
                                    "all" for every code the account offers
  delete ID                         removes the listener
  test ID                           Zentitle sends its test event (empty payload) to the listener
  events                            the codes the account can subscribe to, compared with the
                                    codes this version of zentitle-webhooks knows: the new ones
                                    are named (they still verify, as unknown events)

Exit status: 0 done, 1 the Management API failed, 2 usage error.

${ENVIRONMENT_HELP}`;

const SUBCOMMANDS = { list: 0, create: 0, delete: 1, test: 1, events: 0 };

/** Runs `webhooks <args>`; resolves to the exit status. */
export async function webhooks(args, { out = process.stdout, err = process.stderr, env = process.env } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { url: { type: "string" }, events: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (error) {
    err.write(`${error.message}\n\n${WEBHOOKS_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${WEBHOOKS_HELP}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (!Object.hasOwn(SUBCOMMANDS, command ?? "") || rest.length !== SUBCOMMANDS[command]) {
    const what =
      command === undefined
        ? "Which webhooks command?"
        : Object.hasOwn(SUBCOMMANDS, command)
          ? `webhooks ${command} takes ${SUBCOMMANDS[command] ? "the listener id" : "no argument"}.`
          : `Unknown webhooks command "${command}".`;
    err.write(`${what}\n\n${WEBHOOKS_HELP}\n`);
    return 2;
  }
  if (command === "create" && (!values.url || !values.events)) {
    err.write(`webhooks create needs --url URL and --events CODES.\n\n${WEBHOOKS_HELP}\n`);
    return 2;
  }
  let usage;
  const client = clientFromEnv((message) => (usage = message), { env });
  if (usage) {
    err.write(`${usage}\n`);
    return 2;
  }
  const print = (human, json) => out.write(`${values.json ? JSON.stringify(json, null, 2) : human}\n`);
  try {
    if (command === "list") {
      const all = await client.listWebhooks();
      print(all.length === 0 ? "No webhook listeners." : all.map(listenerLine).join("\n"), all);
    } else if (command === "create") {
      const subscriptions = await eventCodes(client, values.events);
      const created = await client.createWebhook({ uri: webhookUrl(values.url), subscriptions });
      print(`created ${created.id} for ${created.uri} (${created.subscriptions.length} events)`, created);
    } else if (command === "delete") {
      await client.deleteWebhook(rest[0]);
      print(`deleted ${rest[0]}`, { deleted: rest[0] });
    } else if (command === "test") {
      await client.testWebhook(rest[0]);
      print(`Zentitle is sending the test event to ${rest[0]}.`, { tested: rest[0] });
    } else {
      const comparison = compareEventCodes(await client.listEventCodes());
      print(eventsText(comparison), comparison);
    }
    return 0;
  } catch (error) {
    err.write(`${apiErrorText(error)}\n`);
    return error?.code === "invalid_argument" ? 2 : 1;
  }
}

function listenerLine(listener) {
  return `${listener.id ?? "-"}  ${listener.uri ?? "-"}  ${listener.subscriptions.join(", ")}`;
}

function webhookUrl(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw Object.assign(new TypeError("--url must be an http:// or https:// URL."), { code: "invalid_argument" });
  return value;
}

/** The codes of `--events`: a comma-separated list, or "all" (every code the account offers). */
async function eventCodes(client, value) {
  if (value === undefined || value.trim() === "all") return (await client.listEventCodes()).map((e) => e.code);
  const codes = value
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  if (codes.length === 0) throw Object.assign(new TypeError("--events needs at least one event code (or all)."), { code: "invalid_argument" });
  return codes;
}

/** The account's codes beside the package's: `{ account, known, new, notOffered }`. */
export function compareEventCodes(types) {
  const ours = new Set(EVENT_CODES);
  const theirs = new Set(types.map((t) => t.code));
  return {
    account: types,
    new: types.filter((t) => !ours.has(t.code)).map((t) => t.code),
    notOffered: EVENT_CODES.filter((code) => !theirs.has(code)),
  };
}

function eventsText({ account, new: fresh, notOffered }) {
  const freshSet = new Set(fresh);
  const lines = account.map((t) => `${freshSet.has(t.code) ? "new " : "    "}${t.code}${t.description ? `  ${t.description}` : ""}`);
  lines.push("");
  lines.push(`${account.length} codes offered by the account; zentitle-webhooks knows ${EVENT_CODES.length}.`);
  lines.push(
    fresh.length === 0
      ? "No new codes: every code the account offers is typed by this version."
      : `New (not typed by this version; they verify and arrive as unknown events): ${fresh.join(", ")}`,
  );
  if (notOffered.length > 0) lines.push(`Known here but not offered by the account: ${notOffered.join(", ")}`);
  return lines.join("\n");
}

/**
 * For `listen --register URL [--events CODES] [--test]`: creates the listener for the session
 * and, with `test`, asks for the test event. Resolves to `{ id, close() }`; `close()` removes
 * the listener (on exit, Ctrl-C, SIGTERM). `say(line)` prints progress.
 */
export async function registerSession({ client, url, events, test = false, say }) {
  const subscriptions = await eventCodes(client, events);
  const created = await client.createWebhook({ uri: webhookUrl(url), subscriptions });
  say(`Registered listener ${created.id} for ${created.uri} (${subscriptions.length} events); it is removed when listen stops.`);
  let closed = false;
  const session = {
    id: created.id,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.deleteWebhook(created.id);
        say(`Removed listener ${created.id}.`);
      } catch (error) {
        if (error?.code === "not_found") say(`Listener ${created.id} was already removed.`);
        else say(`Could not remove listener ${created.id} (${apiErrorText(error)}); remove it with: zentitle-webhooks webhooks delete ${created.id}`);
      }
    },
  };
  if (test) {
    try {
      await client.testWebhook(created.id);
      say(`Asked Zentitle for the test event: it arrives here in a moment.`);
    } catch (error) {
      say(`The test event could not be requested: ${apiErrorText(error)}`);
    }
  }
  return session;
}
