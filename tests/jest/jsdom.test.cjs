/** @jest-environment jsdom */
require("./shared.cjs")();
