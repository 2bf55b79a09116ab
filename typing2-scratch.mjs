import { parseEvent } from "zentitle-webhooks";
import { createTestEvent } from "zentitle-webhooks/testing";
const body = JSON.stringify(createTestEvent("entitlement.seat.activated"));
const padded = JSON.stringify({ ...JSON.parse(body), payload: { ...JSON.parse(body).payload, notes: "x".repeat(2048 - body.length - 12) } });
const enc = new TextEncoder();
function time(fn, n) { for (let i = 0; i < 2000; i++) fn(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); return Number(process.hrtime.bigint() - t) / n / 1000; }
const r = { pe: [], jp: [], enc: [] };
for (let k = 0; k < 9; k++) { r.pe.push(time(() => parseEvent(padded), 20000)); r.jp.push(time(() => JSON.parse(padded), 20000)); r.enc.push(time(() => enc.encode(padded), 20000)); }
const med = (x) => x.sort((a, b) => a - b)[4];
console.log({ parseEvent: med(r.pe), jsonParse: med(r.jp), encode: med(r.enc), ratio: med(r.pe) / med(r.jp) });
