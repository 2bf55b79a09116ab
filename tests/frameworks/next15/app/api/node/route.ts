// App Router route handler on the Node.js runtime (the default).
// receiver.fetch reads the raw body: never `await request.json()` before it.
import { webhooks } from "../../../lib/webhooks";

export const runtime = "nodejs";

export function POST(request: Request): Promise<Response> {
  return webhooks().fetch(request);
}
