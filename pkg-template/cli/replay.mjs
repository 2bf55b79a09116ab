// `zentitle-webhooks replay FILE --to URL`: re-sends deliveries recorded by `listen --record`,
// byte for byte, with their original headers and signatures.
import { readFileSync } from "node:fs";

import { claimed, forwardedHeaders, reportedOutcome, send } from "./delivery.mjs";

/** The recorded deliveries of `file` (JSON lines), each with its line number. */
export function readRecording(file) {
  const entries = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        throw new TypeError(`${file}:${i + 1} is not a JSON line of listen --record.`);
      }
      if (typeof entry?.bodyBase64 !== "string" || typeof entry.headers !== "object" || entry.headers === null) {
        throw new TypeError(`${file}:${i + 1} is not a delivery recorded by listen --record (no bodyBase64 or headers).`);
      }
      entries.push(entry);
    });
  return entries;
}

/**
 * Re-sends the deliveries of `file` (those of `eventId` only, when given) to `to`, in order:
 * `[{ eventId, eventCode, status, outcome?, error? }]` (`outcome`: what the app reported, e.g.
 * `duplicate`), each reported through `report` as it completes.
 */
export async function replay({ file, to, eventId, report = () => {} }) {
  const results = [];
  for (const entry of readRecording(file)) {
    const body = Buffer.from(entry.bodyBase64, "base64");
    const claim = claimed(body);
    const id = entry.verdict?.eventId ?? claim.eventId ?? null;
    if (eventId !== undefined && id !== eventId) continue;
    const answer = await send(to, forwardedHeaders(entry.headers), body);
    const result = {
      eventId: id,
      eventCode: entry.verdict?.eventCode ?? claim.eventCode ?? null,
      recordedAt: entry.time,
      status: answer.status ?? 0,
      outcome: reportedOutcome(answer),
      error: answer.error,
    };
    results.push(result);
    report(result);
  }
  return results;
}
