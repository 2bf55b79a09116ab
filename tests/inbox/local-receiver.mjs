// Temporary: the receiver's inbox mode wired by hand (verify, accept, work) until the receiver
// takes `{ inbox }` itself.
import { WebhookVerifier } from "zentitle-webhooks";

import { accept, startWorkers } from "../../pkg/lib/inbox-mode.mjs";

export class WebhookReceiver {
  #verifier;
  #inbox;
  #any = [];
  constructor({ key, inbox }) {
    this.#verifier = new WebhookVerifier({ key });
    this.#inbox = inbox;
  }
  onAny(handler) {
    this.#any.push(handler);
  }
  async receive({ body, headers }) {
    let event;
    let mismatch;
    try {
      event = this.#verifier.verify(body, headers);
    } catch (error) {
      if (error.event === undefined) return { status: 401, outcome: "refused" };
      event = error.event;
      mismatch = error.hint;
    }
    try {
      return await accept(this.#inbox, { event, mismatch, body, headers });
    } catch {
      return { status: 503, outcome: "store_error" };
    }
  }
  node() {
    return async (req, res) => {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const result = await this.receive({ body: Buffer.concat(chunks), headers: req.headers });
      res.statusCode = result.status;
      res.end(JSON.stringify(result));
    };
  }
  work(options) {
    return startWorkers(
      this.#inbox,
      this.#verifier,
      async (event, ctx) => {
        for (const h of this.#any) await h(event, ctx);
      },
      options,
    );
  }
}
