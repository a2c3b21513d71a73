import { isIPv4 } from 'node:net';
import { stringBytes } from './cert-subject.js';
import { children, decodeOid, readTlv, tbsFields, type Tlv } from './der.js';

/**
 * The user name SASL EXTERNAL takes from a client certificate's subjectAltName
 * (ssl_cert_login_from = subject_alternative_name), as rabbit_ssl:peer_cert_auth_name/2 picks it:
 * the entries of one type (ssl_cert_login_san_type: dns, ip, email, uri or other_name), in the
 * order the certificate lists them, and of those the one at ssl_cert_login_san_index (0 = the
 * first). No entry there: no name.
 *
 * - dns, email, uri: the IA5String as it is (`bob.example`, `bob@example.com`, `spiffe://example/bob`).
 * - other_name: the value inside the otherName, whatever its type-id, when it is one of the
 *   DirectoryString types (UTF8String, PrintableString, TeletexString, BMPString, UniversalString),
 *   decoded as the subject's values are (rabbit_cert_info:sanitize_other_name/1); any other type
 *   (an IA5String, say) names no user (RabbitMQ's login fails on it too).
 * - ip: the address as text, `10.0.0.1` or `2001:db8::1`. RabbitMQ takes the raw address bytes
 *   (`<<10,0,0,1>>`, seen on 3.10 and in 4.x's rabbit_ssl), which no user name can be written as;
 *   a deviation noted in README.
 */

export const SAN_TYPES = ['dns', 'ip', 'email', 'uri', 'other_name'] as const;
export type SanType = (typeof SAN_TYPES)[number];

const SUBJECT_ALT_NAME = '2.5.29.17';

/** GeneralName's context tags (RFC 5280 4.2.1.6): [0] otherName is constructed, the rest primitive. */
const TAG: Readonly<Record<SanType, number>> = { other_name: 0xa0, email: 0x81, dns: 0x82, uri: 0x86, ip: 0x87 };

/** The DirectoryString types: UTF8String, PrintableString, TeletexString, UniversalString, BMPString. */
const DIRECTORY_STRING = new Set([0x0c, 0x13, 0x14, 0x1c, 0x1e]);

/** The subjectAltName entry of `type` at `index`, as a user name; undefined when there is none. */
export function peerCertSanName(der: Buffer, type: SanType, index: number): string | undefined {
  try {
    const entry = sanEntries(der).filter((e) => e.tag === TAG[type])[index];
    return entry === undefined ? undefined : entryText(der, type, entry);
  } catch {
    return undefined;
  }
}

function sanEntries(der: Buffer): Tlv[] {
  const { extensions } = tbsFields(der);
  if (extensions === undefined) return [];
  for (const ext of children(der, extensions)) {
    const parts = children(der, ext); // extnID, critical (optional), extnValue
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id?.tag !== 0x06 || value?.tag !== 0x04 || decodeOid(der.subarray(id.start, id.end)) !== SUBJECT_ALT_NAME) continue;
    const names = readTlv(der, value.start, value.end);
    if (names.tag !== 0x30) throw new RangeError('subjectAltName is not a SEQUENCE');
    return children(der, names);
  }
  return [];
}

function entryText(der: Buffer, type: SanType, entry: Tlv): string | undefined {
  const bytes = der.subarray(entry.start, entry.end);
  switch (type) {
    case 'ip':
      return ipText(bytes);
    case 'other_name': {
      // AnotherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }, the SEQUENCE tag replaced by [0].
      const [typeId, wrapper] = children(der, entry);
      if (typeId?.tag !== 0x06 || wrapper?.tag !== 0xa0) return undefined;
      const inner = children(der, wrapper)[0];
      if (inner === undefined || !DIRECTORY_STRING.has(inner.tag)) return undefined;
      return stringBytes(inner.tag, der.subarray(inner.start, inner.end))?.toString('utf8');
    }
    default:
      return bytes.toString('utf8');
  }
}

function ipText(bytes: Buffer): string | undefined {
  if (bytes.length === 4) {
    const text = [...bytes].join('.');
    return isIPv4(text) ? text : undefined;
  }
  if (bytes.length !== 16) return undefined;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  return compressIPv6(groups);
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (two or more) of zero groups as `::`. */
function compressIPv6(groups: number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}
