// AWS Lambda behind API Gateway (HTTP API, payload v2): the body arrives as a string, base64
// when `isBase64Encoded` (binary or non-text content types). Decode to the raw bytes first.
import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS });
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));

export async function handler(event) {
  const body = event.body == null ? "" : event.isBase64Encoded ? Buffer.from(event.body, "base64") : event.body;
  const result = await receiver.receive({ body, headers: event.headers ?? {} });
  return {
    statusCode: result.status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(result.status < 300 ? { ok: true, outcome: result.outcome } : { ok: false, code: result.code }),
  };
}
