// The types of zentitle-webhooks/management as users write against them: the client's methods,
// its error, and its key source given to the receiver and to the verifier's async methods.
import { type KeySource, WebhookReceiver, WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";
import { ZentitleApiError, type ZentitleApiErrorCode, ZentitleClient, type ZentitleKeySource, zentitleKey } from "zentitle-webhooks/management";

const client = new ZentitleClient({
  tokenUrl: "https://acme.keycloak.nalpeiron.io/realms/acme/protocol/openid-connect/token",
  clientId: "id",
  clientSecret: "secret",
  tenantId: "t_x",
  baseUrl: "https://acme.api.nalpeiron.io",
  apiVersion: "2024-05-01-alpha",
  log: (line: string) => console.log(line),
});

export async function use(): Promise<void> {
  const jwk = await client.getKey();
  const n: string = jwk.n;
  const listeners = await client.listWebhooks();
  const first: string[] = listeners[0].subscriptions;
  const created = await client.createWebhook({ uri: "https://example.com/hook", subscriptions: ["customer.created"] });
  await client.updateWebhook(created.id ?? "", { uri: "https://example.com/v2", subscriptions: first });
  await client.testWebhook(created.id ?? "");
  const codes: string[] = (await client.listEventCodes()).map((e) => e.code);
  await client.deleteWebhook(created.id ?? "");
  void [n, codes];
  try {
    await client.getWebhook("whl_x");
  } catch (error) {
    if (error instanceof ZentitleApiError) {
      const code: ZentitleApiErrorCode = error.code;
      const status: number = error.status;
      void [code, status];
    }
  }

  const key: ZentitleKeySource = zentitleKey(client, { cooldownSeconds: 60 });
  const fetches: number = key.fetches;
  const source: KeySource = key;
  const receiver = new WebhookReceiver({ key: source });
  const verifier = new WebhookVerifier({ key });
  const { event } = await verifier.verifyAsync("{}", "sig");
  void [fetches, receiver, event];
  try {
    await verifier.verifyAsync("{}", "sig");
  } catch (error) {
    if (error instanceof WebhookVerificationError && error.code === "key_unavailable") console.log(error.status);
  }
  // @ts-expect-error: the client needs its credentials
  new ZentitleClient({ baseUrl: "https://x" });
}
