// Serves the www page (and the built package it imports) on loopback and prints its URL.
// Interactive: serves until Ctrl-C. Without a terminal (or with CI set): checks that the page
// and the package answer, then exits.
import { serveStatic } from "../tests/runtimes/static-server.mjs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const site = await serveStatic(root, {}, Number(process.env.PORT ?? 0));
const url = `${site.url}/www/index.html`;
console.log(`\nThe www page: ${url}`);
const checks = await Promise.all(
  ["/www/index.html", "/www/app.js", "/pkg/browser.mjs", "/pkg/wasm/zentitle_webhooks.wasm", "/examples/keys/demo.modulus.txt"].map(async (path) => [
    path,
    (await fetch(site.url + path)).status,
  ]),
);
const bad = checks.filter(([, status]) => status !== 200);
if (bad.length) {
  console.error(`not served: ${bad.map(([p, s]) => `${p} (${s})`).join(", ")}`);
  site.close();
  process.exit(1);
}
if (process.stdout.isTTY && !process.env.CI) {
  console.log("Serving on loopback until Ctrl-C.");
} else {
  console.log("(no terminal: the page and the package answered; not serving on)");
  site.close();
}
