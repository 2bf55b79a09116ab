// The store conformance suite: the fenced store contract (docs/stores.md) as named test cases
// that any `test(name, fn)` runner registers (node:test, Vitest, Jest, Deno, Bun, or a loop of
// one's own), so that the author of a store (DynamoDB, Firestore, ...) can check it the way the
// shipped stores are checked. It needs no Node API: it runs in Workers and browsers too.

const DEFAULT_LEASE_MS = 400;
const DEFAULT_CONCURRENCY = 32;
/** The longest eventId the receiver passes with its default body limit (1 MiB): ids near it. */
const LONG_ID_CHARS = 1 << 20;

/**
 * Registers the contract's cases with `test(name, fn)`; returns their names.
 *
 * `createStore(options)` returns a store (or a promise of one). Every store it returns must share
 * one backend (the same database, the same Durable Object namespace): the suite calls it several
 * times and races the stores against each other. An in-process store returns the same object
 * when `options` is `undefined`. The suite calls it with `{ doneSeconds }` to check that option;
 * pass `doneSeconds: false` for a store without it.
 */
export function storeContractTests(createStore, options) {
  if (typeof createStore !== "function") throw new TypeError("storeContractTests(createStore, { test }): createStore must be a function returning a store.");
  if (typeof options !== "object" || options === null || typeof options.test !== "function") {
    throw new TypeError("storeContractTests(createStore, { test }): options.test must be your runner's test(name, fn) (node:test, Vitest, Jest, ...).");
  }
  const {
    test,
    name: prefix = "store contract",
    leaseMs = DEFAULT_LEASE_MS,
    concurrency = DEFAULT_CONCURRENCY,
    doneSeconds: checkDoneSeconds = true,
  } = options;
  if (!Number.isInteger(leaseMs) || leaseMs < 50) throw new TypeError("storeContractTests: leaseMs must be a whole number of milliseconds, at least 50.");
  if (!Number.isInteger(concurrency) || concurrency < 2) throw new TypeError("storeContractTests: concurrency must be a whole number, at least 2.");

  const run = randomHex(6);
  let counter = 0;
  /** A fresh eventId for each use, so that a persistent backend never mixes runs or cases. */
  const id = (label) => `contract:${run}:${label}:${++counter}`;
  const store = async () => checkShape(await createStore());
  /** Long enough to do a few calls in, short enough to wait out. */
  const long = leaseMs * 50;
  const names = [];
  const add = (name, fn) => {
    names.push(`${prefix}: ${name}`);
    test(`${prefix}: ${name}`, fn);
  };

  add("claim of a new eventId: claimed, with a token", async () => {
    const s = await store();
    const claim = await s.claim(id("new"), long);
    expectClaimed(claim, "the first claim of a new eventId");
  });

  add("tokens are fresh and long enough to be unguessable (128 bits or more)", async () => {
    const s = await store();
    const tokens = await Promise.all(Array.from({ length: 64 }, async () => expectClaimed(await s.claim(id("tokens"), long), "a claim").token));
    check(new Set(tokens).size === tokens.length, "every claim returns a token of its own");
    for (const token of tokens) check(token.length >= 22, `a token holds 128 random bits or more (22 or more characters); got ${token.length} characters`);
  });

  add("claim while another holds a live lease: busy", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("busy");
    expectClaimed(await a.claim(eventId, long), "the first claim");
    expectState(await b.claim(eventId, long), "busy", "a second claim during the lease");
    expectState(await a.claim(eventId, long), "busy", "a claim by the holder's own store during the lease");
  });

  add("complete with the current token: true; every later claim: done", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("complete");
    const { token } = expectClaimed(await a.claim(eventId, long), "the claim");
    check((await a.complete(eventId, token)) === true, "complete(eventId, token) of the current lease resolves to true");
    expectState(await b.claim(eventId, long), "done", "a claim after complete");
    expectState(await a.claim(eventId, long), "done", "another claim after complete");
  });

  add("release with the current token: true; the next claim runs it again, with a new token", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("release");
    const first = expectClaimed(await a.claim(eventId, long), "the claim");
    check((await a.release(eventId, first.token)) === true, "release(eventId, token) of the current lease resolves to true");
    const second = expectClaimed(await b.claim(eventId, long), "a claim after release");
    check(second.token !== first.token, "the new lease has a new token");
  });

  add("renew with the current token: true, and the lease outlives its first end", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("renew");
    const { token } = expectClaimed(await a.claim(eventId, leaseMs), "the claim");
    await sleep(leaseMs * 0.5);
    check((await a.renew(eventId, token, leaseMs * 3)) === true, "renew(eventId, token, leaseMs) of the current lease resolves to true");
    await sleep(leaseMs * 1.5); // past the first end, before the renewed one
    expectState(await b.claim(eventId, leaseMs), "busy", "a claim after the first end of a renewed lease");
    check((await a.complete(eventId, token)) === true, "complete after renew resolves to true");
    expectState(await b.claim(eventId, leaseMs), "done", "a claim after complete");
  });

  add("a lease that is not renewed ends: the next claim takes it, with a new token", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("expiry");
    const first = expectClaimed(await a.claim(eventId, leaseMs), "the claim");
    await sleep(leaseMs + 150);
    const second = expectClaimed(await b.claim(eventId, long), "a claim after the lease ended");
    check(second.token !== first.token, "the new lease has a new token");
  });

  add("a lease that ended, not yet taken over: complete, renew and release answer false, and it is not done", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("ended");
    const { token } = expectClaimed(await a.claim(eventId, leaseMs), "the claim");
    await sleep(leaseMs + 150);
    check((await a.complete(eventId, token)) === false, "complete after the lease ended resolves to false");
    check((await a.renew(eventId, token, long)) === false, "renew after the lease ended resolves to false");
    check((await a.release(eventId, token)) === false, "release after the lease ended resolves to false");
    expectClaimed(await b.claim(eventId, long), "a claim after the ended holder's calls (nothing was marked done)");
  });

  add("fencing: a stale holder (its lease ended, another holds it now) renews, completes and releases nothing", async () => {
    const [stale, fresh, other] = [await store(), await store(), await store()];
    const eventId = id("stale");
    const old = expectClaimed(await stale.claim(eventId, leaseMs), "the stale holder's claim");
    await sleep(leaseMs + 150);
    const current = expectClaimed(await fresh.claim(eventId, long), "the new holder's claim");
    check((await stale.release(eventId, old.token)) === false, "the stale holder's release resolves to false");
    expectState(await other.claim(eventId, long), "busy", "a claim after the stale release (the new lease still holds)");
    check((await stale.complete(eventId, old.token)) === false, "the stale holder's complete resolves to false");
    expectState(await other.claim(eventId, long), "busy", "a claim after the stale complete (not done: the new holder still runs it)");
    check((await stale.renew(eventId, old.token, long)) === false, "the stale holder's renew resolves to false");
    check((await fresh.renew(eventId, current.token, long)) === true, "the new holder's renew resolves to true");
    check((await fresh.complete(eventId, current.token)) === true, "the new holder's complete resolves to true");
    expectState(await other.claim(eventId, long), "done", "a claim after the new holder completed");
  });

  add("fencing: a holder that released acts no more once another claimed", async () => {
    const [a, b, c] = [await store(), await store(), await store()];
    const eventId = id("released");
    const first = expectClaimed(await a.claim(eventId, long), "the first claim");
    check((await a.release(eventId, first.token)) === true, "the release");
    const second = expectClaimed(await b.claim(eventId, long), "the second claim");
    check((await a.release(eventId, first.token)) === false, "a second release with the old token resolves to false");
    check((await a.renew(eventId, first.token, long)) === false, "renew with the old token resolves to false");
    check((await a.complete(eventId, first.token)) === false, "complete with the old token resolves to false");
    expectState(await c.claim(eventId, long), "busy", "a claim: the second lease still holds, not done");
    check((await b.complete(eventId, second.token)) === true, "the second holder's complete");
  });

  add("fencing: a wrong token, or the token of another eventId, renews, completes and releases nothing", async () => {
    const [a, b] = [await store(), await store()];
    const eventId = id("wrong");
    const otherId = id("wrong-other");
    const { token } = expectClaimed(await a.claim(eventId, long), "the claim");
    const other = expectClaimed(await a.claim(otherId, long), "the claim of another eventId");
    for (const wrong of ["", "0".repeat(token.length), `${token}x`, token.slice(1), other.token]) {
      check((await b.renew(eventId, wrong, long)) === false, `renew with a wrong token (${JSON.stringify(wrong.slice(0, 8))}…) resolves to false`);
      check((await b.complete(eventId, wrong)) === false, "complete with a wrong token resolves to false");
      check((await b.release(eventId, wrong)) === false, "release with a wrong token resolves to false");
    }
    expectState(await b.claim(eventId, long), "busy", "a claim: the lease still holds");
    check((await a.complete(eventId, token)) === true, "complete with the right token");
    check((await a.release(otherId, other.token)) === true, "release of the other eventId with its own token");
  });

  add("after complete, the token renews, completes and releases nothing; the event stays done", async () => {
    const s = await store();
    const eventId = id("after-complete");
    const { token } = expectClaimed(await s.claim(eventId, long), "the claim");
    check((await s.complete(eventId, token)) === true, "the complete");
    check((await s.complete(eventId, token)) === false, "a second complete resolves to false");
    check((await s.renew(eventId, token, long)) === false, "renew after complete resolves to false");
    check((await s.release(eventId, token)) === false, "release after complete resolves to false");
    expectState(await s.claim(eventId, long), "done", "a claim: still done");
  });

  add("an eventId never claimed: renew, complete and release answer false and write nothing", async () => {
    const s = await store();
    const eventId = id("unclaimed");
    const token = randomHex(16);
    check((await s.renew(eventId, token, long)) === false, "renew resolves to false");
    check((await s.complete(eventId, token)) === false, "complete resolves to false");
    check((await s.release(eventId, token)) === false, "release resolves to false");
    expectClaimed(await s.claim(eventId, long), "a claim afterwards");
  });

  add(`${concurrency} claims of one eventId at once, from several stores: exactly one claimed`, async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, store));
    const eventId = id("race");
    const claims = await Promise.all(Array.from({ length: concurrency }, (_, i) => stores[i % stores.length].claim(eventId, long)));
    const claimed = claims.filter((c) => c?.state === "claimed");
    check(claimed.length === 1, `exactly one claim wins; ${claimed.length} did (${summary(claims)})`);
    check(
      claims.every((c) => c?.state === "claimed" || c?.state === "busy"),
      `the others are busy (${summary(claims)})`,
    );
  });

  add("many eventIds at once, several claims each: one claimed per eventId; then completes and claims racing: done", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, store));
    const ids = Array.from({ length: 16 }, () => id("many"));
    const claims = await Promise.all(
      ids.flatMap((eventId) => Array.from({ length: 4 }, (_, i) => stores[i].claim(eventId, long).then((c) => ({ eventId, c })))),
    );
    const winners = new Map();
    for (const { eventId, c } of claims) {
      if (c?.state !== "claimed") continue;
      check(!winners.has(eventId), `one winner for ${eventId}`);
      winners.set(eventId, c.token);
    }
    check(winners.size === ids.length, `every eventId was claimed once; ${winners.size} of ${ids.length}`);
    // The holders complete while others keep claiming: a claim sees busy or done, never claimed.
    const results = await Promise.all(
      ids.flatMap((eventId, n) => [stores[n % 4].complete(eventId, winners.get(eventId)), ...[1, 2, 3].map((k) => stores[(n + k) % 4].claim(eventId, long))]),
    );
    for (let n = 0; n < ids.length; n++) {
      check(results[n * 4] === true, "each holder's complete resolves to true");
      for (const c of results.slice(n * 4 + 1, n * 4 + 4))
        check(c?.state === "busy" || c?.state === "done", `a claim racing complete is busy or done; got ${summary([c])}`);
    }
    for (const eventId of ids) expectState(await stores[0].claim(eventId, long), "done", "a claim after the completes");
  });

  add("any eventId is stored apart: NUL bytes, Unicode, quotes, look-alikes, 1 MiB ids", async () => {
    const s = await store();
    const base = id("ids");
    const longA = `${base}:${"x".repeat(LONG_ID_CHARS)}a`;
    const longB = `${base}:${"x".repeat(LONG_ID_CHARS)}b`;
    const ids = [
      base,
      `${base}\0`,
      `${base}\0x`,
      `${base}\0y`,
      `\0${base}`,
      `${base.toUpperCase()}`,
      `${base} `,
      `${base}:ünïcödé ✓ 事件 😀 \u0301`,
      `${base}:'; DROP TABLE x; --"\\`,
      `${base}:%s%d{}[]\n\r\t`,
      `sha256:${base}`,
      `${base}:${"y".repeat(250)}`,
      `${base}:${"y".repeat(251)}`,
      longA,
      longB,
    ];
    const claims = [];
    for (const eventId of ids)
      claims.push(expectClaimed(await s.claim(eventId, long), `the claim of eventId #${claims.length} (${eventId.length} characters)`));
    for (const [n, eventId] of ids.entries()) {
      if (n % 2 === 0) check((await s.complete(eventId, claims[n].token)) === true, `complete of eventId #${n}`);
    }
    for (const [n, eventId] of ids.entries()) {
      expectState(await s.claim(eventId, long), n % 2 === 0 ? "done" : "busy", `a claim of eventId #${n} (${eventId.length} characters)`);
      if (n % 2 === 1) check((await s.release(eventId, claims[n].token)) === true, `release of eventId #${n}`);
    }
  });

  if (checkDoneSeconds) {
    add("doneSeconds: 0, 0.5, -1, 3599, NaN, Infinity, '7d', '604800' refused with a TypeError naming it; 3600 and 604800 accepted", async () => {
      for (const bad of [0, 0.5, -1, 3599, Number.NaN, Number.POSITIVE_INFINITY, "7d", "604800", null, true]) {
        let error;
        try {
          await createStore({ doneSeconds: bad });
        } catch (e) {
          error = e;
        }
        check(error instanceof TypeError, `doneSeconds ${typeof bad === "string" ? JSON.stringify(bad) : String(bad)} is refused with a TypeError`);
        check(/doneSeconds/.test(String(error?.message)), "the error names doneSeconds");
      }
      for (const good of [3600, 604800]) {
        const s = checkShape(await createStore({ doneSeconds: good }));
        const eventId = id("done-seconds");
        const { token } = expectClaimed(await s.claim(eventId, long), `a claim with doneSeconds ${good}`);
        check((await s.complete(eventId, token)) === true, `complete with doneSeconds ${good}`);
        expectState(await s.claim(eventId, long), "done", `a claim after complete with doneSeconds ${good}`);
      }
    });
  }

  return names;
}

/** A failed expectation: an Error whose message says what the contract wants. */
function check(condition, what) {
  if (!condition) throw new Error(`store contract: ${what}.`);
}

function checkShape(store) {
  for (const method of ["claim", "renew", "complete", "release"]) {
    check(typeof store?.[method] === "function", `the store has a ${method}() method (all four are required)`);
  }
  return store;
}

function expectClaimed(result, what) {
  check(result?.state === "claimed", `${what} is { state: "claimed", token }; got ${summary([result])}`);
  check(typeof result.token === "string" && result.token.length > 0, `${what} carries its token as a non-empty string`);
  return result;
}

function expectState(result, state, what) {
  check(result?.state === state, `${what} is { state: "${state}" }; got ${summary([result])}`);
  check(result.token === undefined, `${what} carries no token`);
}

function summary(results) {
  const counts = {};
  for (const r of results) {
    const key = typeof r === "object" && r !== null ? String(r.state) : typeof r === "string" ? `the string "${r}" (the contract wants an object)` : String(r);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.entries(counts)
    .map(([k, n]) => `${n} × ${k}`)
    .join(", ");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function randomHex(bytes) {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}
