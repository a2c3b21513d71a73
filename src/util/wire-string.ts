/**
 * Lossless strings for bytes that are not UTF-8. RabbitMQ keeps short strings (routing keys, property
 * values) and longstr header values as raw bytes and writes back exactly what it got; a JS string
 * decoded with U+FFFD replacements cannot do that (and grows: 100 bytes of 0xFF become 300). So a byte
 * sequence that is not valid UTF-8 is decoded with "surrogate escapes" (Python's surrogateescape):
 * each byte b that is not part of a valid sequence becomes the lone surrogate U+DC00 + b (b >= 0x80, so
 * U+DC80..U+DCFF). Valid UTF-8 never decodes to a lone surrogate, so the mapping is unambiguous, and the
 * encoder turns such a string back into the original bytes. Lone surrogates outside U+DC80..U+DCFF (a
 * string built by broker code, not decoded from the wire) encode as U+FFFD, as Buffer#write does.
 *
 * The check costs nothing on the common path: callers decode with the native decoder and only come here
 * when its result contains U+FFFD (and the bytes are then confirmed invalid), or encode here only when a
 * string is not well-formed.
 */

/** Decodes buf[start, end) that is known not to be valid UTF-8, escaping each invalid byte. */
export function decodeEscaped(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = buf[i] as number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    const n = sequenceLength(buf, i, end);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + b0);
      i++;
      continue;
    }
    let cp: number;
    if (n === 2) cp = ((b0 & 0x1f) << 6) | ((buf[i + 1] as number) & 0x3f);
    else if (n === 3) cp = ((b0 & 0x0f) << 12) | (((buf[i + 1] as number) & 0x3f) << 6) | ((buf[i + 2] as number) & 0x3f);
    else {
      cp =
        ((b0 & 0x07) << 18) |
        (((buf[i + 1] as number) & 0x3f) << 12) |
        (((buf[i + 2] as number) & 0x3f) << 6) |
        ((buf[i + 3] as number) & 0x3f);
    }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at i (2, 3 or 4), or 0 if b[i] starts none (RFC 3629 table). */
function sequenceLength(b: Uint8Array, i: number, end: number): number {
  const b0 = b[i] as number;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    if (i + k >= end) return false;
    const c = b[i + k] as number;
    return c >= lo && c <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no UTF-16 surrogates
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Whether s carries escaped bytes (or any lone surrogate): then it must be written with writeEscaped. */
export function needsEscapedWrite(s: string): boolean {
  return !(s as unknown as WellFormedCheck).isWellFormed();
}

/** Native since Node 20 (ES2024); the project's lib setting predates it. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/** The byte length of s as writeEscaped writes it. */
export function escapedByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) n += 1;
    else n += 3;
  }
  return n;
}

/** Writes s at offset (room reserved by the caller: at most 3 bytes per UTF-16 unit); returns the byte count. */
export function writeEscaped(buf: Uint8Array, s: string, offset: number): number {
  let p = offset;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      buf[p++] = 0xf0 | (cp >> 18);
      buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
      buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[p++] = 0x80 | (cp & 0x3f);
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      buf[p++] = c - 0xdc00;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - offset;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** s as bytes: exactly the bytes it was decoded from, whether or not they were UTF-8. */
export function wireBytes(s: string): Buffer {
  if (!needsEscapedWrite(s)) return Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(escapedByteLength(s));
  writeEscaped(out, s, 0);
  return out;
}

/** buf[start, end) as a string, lossless: valid UTF-8 decodes normally, anything else with escapes. */
export function wireString(buf: Buffer, start = 0, end = buf.length): string {
  const s = buf.toString('utf8', start, end);
  if (s.indexOf('\ufffd') === -1) return s;
  return isValidUtf8(buf, start, end) ? s : decodeEscaped(buf, start, end);
}

export function isValidUtf8(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; ) {
    if ((buf[i] as number) < 0x80) {
      i++;
      continue;
    }
    const n = sequenceLength(buf, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}
