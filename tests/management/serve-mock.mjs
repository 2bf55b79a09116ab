// Runs the local Zentitle of the Management API tests on loopback until stopped, and prints the
// environment that points the CLI at it: for trying `account`, `webhooks` and
// `listen --register` by hand without a Zentitle account.
//
//   node tests/management/serve-mock.mjs > /tmp/zentitle.env & . /tmp/zentitle.env
import { startMockZentitle } from "./mock-zentitle.mjs";

const mock = await startMockZentitle({ extraEventCodes: process.argv.slice(2) });
for (const [name, value] of Object.entries(mock.env)) process.stdout.write(`export ${name}=${value}\n`);
process.stderr.write(`local Zentitle on ${mock.baseUrl}: test deliveries are signed with its key (modulus ${mock.key.jwk.n.slice(0, 12)}...)\n`);
const stop = async () => {
  await mock.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
