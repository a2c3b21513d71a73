import { children, decodeOid, tbsFields, type Tlv } from './der.js';

/**
 * The user name SASL EXTERNAL takes from a client certificate, written exactly as RabbitMQ writes it
 * (rabbit_ssl:peer_cert_auth_name/2 over rabbit_cert_info, 3.x and 4.x alike):
 *
 * - distinguished_name: the subject's RDNs last to first (RFC 4514 order), joined by ',', the
 *   attributes of a multi-valued RDN joined by '+' in their encoded order, each `NAME=value` with
 *   RabbitMQ's names (CN, O, OU, C, L, ST, DC, UID, EMAILADDRESS, ...) or the dotted OID. Values are
 *   escaped as rabbit_cert_info:escape_rdn_value/2 does, byte by byte over UTF-8: a leading ' ' or
 *   '#' and a trailing ' ' get a backslash, so do `"+,;<>\`, and every byte below 32 or from 126
 *   ('~', DEL and all of UTF-8 beyond ASCII) becomes `\XX` in upper-case hex: `CN=Zo\C3\AB`.
 * - common_name: every CN of the subject in encoded order, unescaped, joined by ','.
 *
 * The issuer is written as the subject is, and the validity as rabbit_ssl:peer_cert_validity/1 does:
 * what a connection's TLS details show (management's peer_cert_subject, _issuer, _validity).
 *
 * Values of the DirectoryString types (UTF8String, PrintableString, TeletexString read as Latin-1,
 * BMPString, UniversalString) and IA5String are decoded as RabbitMQ decodes them. Any other value
 * type, which RabbitMQ prints as an Erlang term, is written here as RFC 4514's `#` and the DER in
 * hex: such certificates name no user either way.
 *
 * The parser reads the DER that the TLS layer already verified; on anything unexpected it returns
 * undefined ("no name found") rather than throwing.
 */

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GIVENNAME',
  '2.5.4.43': 'INITIALS',
  '2.5.4.44': 'GENERATIONQUALIFIER',
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'TITLE',
  '2.5.4.6': 'C',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.65': 'PSEUDONYM',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const COMMON_NAME = '2.5.4.3';

interface Attribute {
  readonly oid: string;
  /** The value as UTF-8 bytes, or undefined for a value that is not a string type. */
  readonly utf8: Buffer | undefined;
  /** The whole DER TLV of the value, for the `#hex` form. */
  readonly der: Buffer;
}

/** A string value's UTF-8 bytes, decoded as OTP and rabbit_cert_info decode each type. */
export function stringBytes(tag: number, v: Buffer): Buffer | undefined {
  switch (tag) {
    case 0x0c: // UTF8String: kept as bytes
    case 0x13: // PrintableString
    case 0x16: // IA5String
      return v;
    case 0x14: // TeletexString, read as Latin-1
      return Buffer.from(v.toString('latin1'), 'utf8');
    case 0x1e: {
      // BMPString: UCS-2, big-endian
      let s = '';
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode(v.readUInt16BE(i));
      return Buffer.from(s, 'utf8');
    }
    case 0x1c: {
      // UniversalString: UCS-4, big-endian
      let s = '';
      for (let i = 0; i + 3 < v.length; i += 4) s += String.fromCodePoint(Math.min(v.readUInt32BE(i), 0x10ffff));
      return Buffer.from(s, 'utf8');
    }
    default:
      return undefined;
  }
}

/** A Name's RDNs in encoded order, each a list of attributes. */
function nameRdns(der: Buffer, name: Tlv): Attribute[][] {
  return children(der, name).map((rdn) =>
    children(der, rdn).map((atv) => {
      const [type, value] = children(der, atv);
      if (type === undefined || value === undefined || type.tag !== 0x06) throw new RangeError('bad AttributeTypeAndValue');
      return {
        oid: decodeOid(der.subarray(type.start, type.end)),
        utf8: stringBytes(value.tag, der.subarray(value.start, value.end)),
        der: der.subarray(value.headerStart, value.end),
      };
    }),
  );
}

function subjectRdns(der: Buffer): Attribute[][] {
  return nameRdns(der, tbsFields(der).subject);
}

const SPECIAL = new Set([...'"+,;<>\\'].map((c) => c.charCodeAt(0)));

/** rabbit_cert_info:escape_rdn_value/2, over the value's bytes. */
export function escapeRdnValue(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (i === 0 && (c === 0x20 || c === 0x23)) out += '\\' + String.fromCharCode(c);
    else if (i === bytes.length - 1 && c === 0x20) out += '\\ ';
    else if (SPECIAL.has(c)) out += '\\' + String.fromCharCode(c);
    else if (c < 32 || c >= 126) out += '\\' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out;
}

function formatAttribute(a: Attribute): string {
  const name = ATTRIBUTE_NAMES[a.oid] ?? a.oid;
  const value = a.utf8 === undefined ? `#${a.der.toString('hex')}` : escapeRdnValue(a.utf8);
  return `${name}=${value}`;
}

function formatName(rdns: Attribute[][]): string {
  return rdns
    .reverse()
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .join(',');
}

/** The subject DN as rabbit_ssl:peer_cert_subject/1 writes it, or undefined when it does not parse. */
export function peerCertSubject(der: Buffer): string | undefined {
  try {
    return formatName(subjectRdns(der));
  } catch {
    return undefined;
  }
}

/** The issuer DN, written as the subject is (rabbit_ssl:peer_cert_issuer/1; management's peer_cert_issuer). */
export function peerCertIssuer(der: Buffer): string | undefined {
  try {
    return formatName(nameRdns(der, tbsFields(der).issuer));
  } catch {
    return undefined;
  }
}

/**
 * `notBefore - notAfter` as rabbit_ssl:peer_cert_validity/1 writes it (management's
 * peer_cert_validity): `2026-12-02T14:57:09Z - 2026-12-04T14:57:09Z`. A UTCTime gets the century
 * 20 as RabbitMQ gives it; a GeneralizedTime (dates from 2050), which RabbitMQ prints as an Erlang
 * term, is written in the same ISO form here.
 */
export function peerCertValidity(der: Buffer): string | undefined {
  try {
    const times = children(der, tbsFields(der).validity).map((t) => isoTime(t.tag, der.toString('latin1', t.start, t.end)));
    if (times.length !== 2) return undefined;
    return `${times[0]} - ${times[1]}`;
  } catch {
    return undefined;
  }
}

function isoTime(tag: number, text: string): string {
  const full = tag === 0x17 ? `20${text}` : tag === 0x18 ? text : undefined; // UTCTime YYMMDDHHMMSSZ, GeneralizedTime YYYYMMDDHHMMSSZ
  if (full === undefined || !/^\d{14}Z$/.test(full)) throw new RangeError('not a DER time');
  return `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)}Z`;
}

/** Every CN in the subject, joined by ',' (ssl_cert_login_from = common_name); undefined when there is none. */
export function peerCertCommonName(der: Buffer): string | undefined {
  try {
    const cns = subjectRdns(der)
      .flat()
      .filter((a) => a.oid === COMMON_NAME && a.utf8 !== undefined)
      .map((a) => (a.utf8 as Buffer).toString('utf8'));
    return cns.length === 0 ? undefined : cns.join(',');
  } catch {
    return undefined;
  }
}
