// UTF-8 both ways. The codecs are the runtime's globals; the Node entries also hand over
// node:util's, for environments that lack the globals (Jest's jsdom environment, for one).
let Encoder = globalThis.TextEncoder;
let Decoder = globalThis.TextDecoder;
let encoder;
let decoder;
let strict;

/** Supplies codecs where the globals are missing (the Node entries call it). */
export function provideTextCodec(TextEncoderClass, TextDecoderClass) {
  Encoder ??= TextEncoderClass;
  Decoder ??= TextDecoderClass;
}

/** The UTF-8 bytes of a string (lone surrogates become U+FFFD). */
export function utf8(value) {
  encoder ??= new Encoder();
  return encoder.encode(value);
}

/** Bytes as text, replacing invalid UTF-8. */
export function text(bytes) {
  decoder ??= new Decoder();
  return decoder.decode(bytes);
}

/** Bytes as text; throws on invalid UTF-8. */
export function strictText(bytes) {
  strict ??= new Decoder("utf-8", { fatal: true });
  return strict.decode(bytes);
}
