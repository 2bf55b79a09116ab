// The record file of `listen --record`: one JSON line per delivery, private to its owner and
// bounded. Anyone who reaches the endpoint can post (1 MiB at a time), so the file is created
// 0600 (it holds raw bodies and headers), and when the next line would take it past its bound
// it is moved to `FILE.1` (replacing an older one) and a new file is started, with a message:
// the disk holds at most two files of the bound (plus one delivery).
import { closeSync, fstatSync, openSync, renameSync, writeSync } from "node:fs";

/** The default bound of one record file: 64 MiB (about 45 deliveries of the 1 MiB maximum). */
export const DEFAULT_RECORD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Opens `file` for appending (created 0600): `{ append(line), close() }`. `notice(text)` is
 * told each rotation.
 */
export function openRecordFile(file, { maxBytes = DEFAULT_RECORD_MAX_BYTES, notice = () => {} } = {}) {
  let fd = openSync(file, "a", 0o600);
  let size = fstatSync(fd).size;
  const rotate = () => {
    closeSync(fd);
    renameSync(file, `${file}.1`);
    fd = openSync(file, "a", 0o600);
    size = 0;
    notice(`the record file reached its bound of ${maxBytes} bytes: moved to ${file}.1 (replacing any older one); recording goes on in ${file}`);
  };
  return {
    append(line) {
      const bytes = Buffer.from(`${line}\n`);
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      writeSync(fd, bytes);
      size += bytes.length;
    },
    close() {
      closeSync(fd);
    },
  };
}
