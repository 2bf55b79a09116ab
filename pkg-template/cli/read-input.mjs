// A body for `sign` and `verify`, read from a file or standard input up to a limit: bytes are
// counted as they are read and reading stops one byte past the limit, so that a stream piped in
// without end cannot make the process hold more than the limit.
import { closeSync, openSync, readSync } from "node:fs";

/**
 * The bytes of `path` (standard input when `undefined`), at most `maxBytes + 1` of them: a
 * result longer than `maxBytes` means the input was longer (the caller refuses it).
 */
export function readInputWithin(path, maxBytes) {
  const fd = path === undefined ? 0 : openSync(path, "r");
  try {
    let buffer = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) break;
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      let read;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        if (error.code !== "EAGAIN") throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a pipe not ready yet
        continue;
      }
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    if (path !== undefined) closeSync(fd);
  }
}
