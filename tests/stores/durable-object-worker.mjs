// A worker for workerd that runs the store conformance suite (zentitle-webhooks/testing) on
// DurableObjectStore over a real Durable Object namespace: GET /cases lists the cases, POST
// /run?case=N runs one and answers `{ ok }` or `{ ok: false, error }`.
import { DurableObjectStore, ZentitleEventObject } from "zentitle-webhooks/stores/durable-object";
import { storeContractTests } from "zentitle-webhooks/testing";

export { ZentitleEventObject };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const cases = [];
    storeContractTests((options) => new DurableObjectStore(env.EVENTS, options), {
      test: (name, fn) => cases.push({ name, fn }),
      name: "DurableObjectStore",
    });
    if (url.pathname === "/cases") return Response.json(cases.map((c) => c.name));
    if (url.pathname === "/run") {
      const chosen = cases[Number(url.searchParams.get("case"))];
      if (!chosen) return new Response("no such case", { status: 404 });
      try {
        await chosen.fn();
        return Response.json({ ok: true });
      } catch (error) {
        return Response.json({ ok: false, error: String(error?.stack ?? error) });
      }
    }
    return new Response("ready");
  },
};
