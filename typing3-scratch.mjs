import "zentitle-webhooks";
import { checkEvent } from "./pkg/lib/core.mjs";
import { createTestEvent } from "zentitle-webhooks/testing";
const body = JSON.stringify(createTestEvent("entitlement.seat.activated"));
const padded = JSON.stringify({ ...JSON.parse(body), payload: { ...JSON.parse(body).payload, notes: "x".repeat(2048 - body.length - 12) } });
const bytes = new TextEncoder().encode(padded);
const small = new TextEncoder().encode(body);
function time(fn, n) { for (let i = 0; i < 2000; i++) fn(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); return Number(process.hrtime.bigint() - t) / n / 1000; }
const r = { big: [], small: [], jp: [] };
for (let k = 0; k < 9; k++) { r.big.push(time(() => checkEvent(bytes), 20000)); r.small.push(time(() => checkEvent(small), 20000)); r.jp.push(time(() => JSON.parse(padded), 20000)); }
const med = (x) => x.sort((a, b) => a - b)[4];
console.log({ check2k: med(r.big), checkSmall: med(r.small), smallBytes: small.length, jsonParse: med(r.jp) });
