// Runs in the browser: loads the package (one documented await), verifies the deliveries the
// test server signed, and publishes the verdicts on <body data-results>.
import { WebhookVerifier, init } from "zentitle-webhooks";

try {
  await init();
  const { modulus, deliveries } = await (await fetch("/deliveries.json")).json();
  const verifier = new WebhookVerifier({ key: modulus });
  const results = deliveries.map((d) => {
    const result = verifier.safeVerify(new TextEncoder().encode(d.body), new Headers(d.headers));
    return result.ok ? { status: 200, received: result.event.eventCode } : { status: result.status, error: result.code };
  });
  document.body.dataset.results = JSON.stringify(results);
} catch (error) {
  document.body.dataset.results = JSON.stringify({ failed: String(error?.stack || error) });
}
