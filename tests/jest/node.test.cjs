/** @jest-environment node */
require("./shared.cjs")();
