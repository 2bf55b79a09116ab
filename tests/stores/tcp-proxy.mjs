// A TCP proxy on loopback between a client and a store's server, for the fault tests: it can
// delay every chunk (a slow link), freeze the link (bytes held, nothing lost, as a stalled
// network does) and thaw it, or cut every connection.
import { createServer, connect } from "node:net";

/** `startProxy(targetPort)` → `{ port, delay(ms), freeze(), thaw(), cut(), close() }`. */
export async function startProxy(targetPort) {
  let delayMs = 0;
  let frozen = false;
  const links = new Set();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const link = { client, upstream, queues: [relay(client, upstream), relay(upstream, client)] };
    links.add(link);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  /** Forwards `from` → `to` in order, each chunk after the delay, held while frozen. */
  function relay(from, to) {
    const queue = [];
    let busy = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      while (queue.length > 0 && !frozen) {
        const { chunk, at } = queue[0];
        const wait = at + delayMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (frozen) break;
        queue.shift();
        if (!to.destroyed) to.write(chunk);
      }
      busy = false;
    };
    from.on("data", (chunk) => {
      queue.push({ chunk, at: Date.now() });
      pump();
    });
    return { pump };
  }
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    delay(ms) {
      delayMs = ms;
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const link of links) for (const q of link.queues) q.pump();
    },
    cut() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const link of links) {
          link.client.destroy();
          link.upstream.destroy();
        }
        server.close(resolve);
      }),
  };
}
