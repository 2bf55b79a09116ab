// App Router route handler on the Edge runtime (the package's `edge-light` entry).
// receiver.fetch reads the raw body: never `await request.json()` before it.
import { webhooks } from "../../../lib/webhooks";

export const runtime = "edge";

export function POST(request: Request): Promise<Response> {
  return webhooks().fetch(request);
}
