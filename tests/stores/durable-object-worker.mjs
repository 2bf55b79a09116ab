// A worker for workerd that runs the store conformance suite (zentitle-webhooks/testing) on
// DurableObjectStore over a real Durable Object namespace: GET /cases lists the cases, POST
// /run?case=N runs one and answers `{ ok }` or `{ ok: false, error }`. /abandon and /peek leave a
// lease behind and look at the object's storage, to see its alarm clear it.
import { DurableObjectStore, ZentitleEventObject } from "zentitle-webhooks/stores/durable-object";
import { storeContractTests } from "zentitle-webhooks/testing";

export { ZentitleEventObject };

/** The same object with a way to look at its storage, to see the alarm clear it. */
export class PeekableEventObject extends ZentitleEventObject {
  #storage;
  constructor(state, env) {
    super(state, env);
    this.#storage = state.storage;
  }
  async fetch(request) {
    if (new URL(request.url).pathname === "/peek") {
      return Response.json({ entries: [...(await this.#storage.list()).keys()], alarm: await this.#storage.getAlarm() });
    }
    return super.fetch(request);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const cases = [];
    storeContractTests((options) => new DurableObjectStore(env.EVENTS, options), {
      test: (name, fn) => cases.push({ name, fn }),
      name: "DurableObjectStore",
    });
    if (url.pathname === "/abandon") {
      // A lease whose instance went away: claimed, never completed or released.
      const store = new DurableObjectStore(env.PEEK, {});
      const claim = await store.claim(url.searchParams.get("id"), Number(url.searchParams.get("leaseMs")));
      return Response.json(claim.state);
    }
    if (url.pathname === "/peek") {
      const stub = env.PEEK.get(env.PEEK.idFromName(url.searchParams.get("id")));
      return stub.fetch("https://peek.internal/peek");
    }
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
