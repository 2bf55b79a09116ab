// A Fetch body read up to a limit: bytes are counted as they arrive and the read stops (the
// stream is cancelled) as soon as they pass the limit, so that a body sent without
// Content-Length (chunked) cannot make the process hold more than the limit. Memory: the
// body's bytes in one buffer that grows by doubling up to the limit (exactly the declared
// length when the request says it), plus the chunk in hand: at most twice the limit.
import { argumentError as typeError, verificationError as refusal } from "./errors.mjs";
import { bytesOf } from "./read.mjs";

/** The first buffer when no length is declared; it doubles as needed, up to the limit. */
const FIRST_BUFFER_BYTES = 16 * 1024;

/**
 * The bytes of `stream` (a ReadableStream of byte chunks, or `null` for no body), refused
 * with `body_too_large` once more than `maxBytes` have arrived. `declared`: the request's
 * Content-Length when it gave a valid one (a capacity hint only: the bytes are counted).
 */
export async function readWithin(stream, maxBytes, declared) {
  if (stream === null || stream === undefined) return new Uint8Array(0);
  let reader;
  try {
    reader = stream.getReader();
  } catch (error) {
    throw typeError("Reading the request's body failed (see error.cause).", error);
  }
  const sized = Number.isSafeInteger(declared) && declared >= 0 && declared <= maxBytes;
  let buffer = new Uint8Array(sized ? declared : Math.min(FIRST_BUFFER_BYTES, maxBytes));
  let length = 0;
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch (error) {
      throw typeError("Reading the request's body failed (see error.cause).", error);
    }
    if (step.done) break;
    const chunk = bytesOf(step.value);
    if (chunk === undefined) {
      cancel(reader);
      throw typeError("The request's body stream gave something other than bytes.");
    }
    if (chunk.length > maxBytes - length) {
      cancel(reader);
      throw refusal("body_too_large");
    }
    if (length + chunk.length > buffer.length) {
      const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.length * 2, length + chunk.length)));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  }
  return length === buffer.length ? buffer : buffer.subarray(0, length);
}

/** Stops the stream: the sender's remaining bytes are not read. */
function cancel(reader) {
  try {
    reader.cancel().catch(() => {});
  } catch {
    // already closed
  }
}
