/**
 * The few DER primitives the certificate readers need (cert-subject.ts, cert-san.ts): one TLV, the
 * children of a constructed value, an OID, and the fields of a certificate's TBSCertificate. They
 * read what the TLS layer already parsed and verified; anything unexpected throws a RangeError,
 * which the readers turn into "nothing found".
 */

export interface Tlv {
  readonly tag: number;
  /** First byte of the value. */
  readonly start: number;
  /** One past the value. */
  readonly end: number;
  /** First byte of the tag. */
  readonly headerStart: number;
}

export function readTlv(buf: Buffer, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new RangeError('truncated DER');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new RangeError('high tag numbers are not used in certificates');
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new RangeError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new RangeError('DER value overruns its container');
  return { tag, start, end, headerStart: at };
}

/** The children of a constructed value. */
export function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function decodeOid(bytes: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The TBSCertificate fields by name (RFC 5280 4.1); extensions undefined when absent. */
export interface TbsFields {
  readonly issuer: Tlv;
  readonly validity: Tlv;
  readonly subject: Tlv;
  /** The [3] EXPLICIT wrapper's content: the Extensions SEQUENCE. */
  readonly extensions: Tlv | undefined;
}

export function tbsFields(der: Buffer): TbsFields {
  const cert = readTlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (tbs === undefined) throw new RangeError('no tbsCertificate');
  const fields = children(der, tbs);
  // [0] version is optional; then serial, signature, issuer, validity, subject, subjectPublicKeyInfo,
  // then the optional [1] issuerUniqueID, [2] subjectUniqueID and [3] extensions.
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [issuer, validity, subject] = [fields[first + 2], fields[first + 3], fields[first + 4]];
  if (issuer?.tag !== 0x30 || validity?.tag !== 0x30 || subject?.tag !== 0x30) throw new RangeError('not a TBSCertificate');
  const wrapper = fields.slice(first + 6).find((f) => f.tag === 0xa3);
  const extensions = wrapper === undefined ? undefined : children(der, wrapper)[0];
  return { issuer, validity, subject, extensions };
}
