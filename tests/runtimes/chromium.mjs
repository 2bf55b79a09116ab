// Headless Chromium for the Playwright tests, with the flags of webdriver.json (the one list,
// which `wasm-pack test --chrome` reads too): no sandbox as root, no background networking.
import { readFileSync } from "node:fs";

const { args } = JSON.parse(readFileSync(new URL("../../webdriver.json", import.meta.url), "utf8"))["goog:chromeOptions"];

/** Launches Debian's Chromium (or $CHROMIUM) through playwright-core's `chromium`. */
export const launchChromium = (chromium) => chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args });
