import { asString, decodeTable } from '../protocol/field-table.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export const SASL_MECHANISMS = ['PLAIN', 'AMQPLAIN'] as const;

/**
 * The largest SASL response parsed: a user name and a password are shortstr-sized (RabbitMQ reads the
 * whole start-ok frame within 4096 bytes before tune). A larger one is refused unparsed.
 */
export const MAX_SASL_RESPONSE = 4096;

/**
 * Parses a connection.start-ok response. Returns undefined for an unsupported mechanism or a
 * response that does not parse; the caller refuses the login either way.
 */
export function parseSaslResponse(mechanism: string, response: Buffer): Credentials | undefined {
  if (mechanism === 'PLAIN') return parsePlain(response);
  if (mechanism === 'AMQPLAIN') return parseAmqplain(response);
  return undefined;
}

// RFC 4616: [authzid] NUL authcid NUL passwd.
function parsePlain(response: Buffer): Credentials | undefined {
  const first = response.indexOf(0);
  if (first < 0) return undefined;
  const second = response.indexOf(0, first + 1);
  if (second < 0) return undefined;
  return {
    username: response.toString('utf8', first + 1, second),
    password: response.toString('utf8', second + 1),
  };
}

// AMQPLAIN is a field table without its 4-byte length prefix, holding LOGIN and PASSWORD.
function parseAmqplain(response: Buffer): Credentials | undefined {
  try {
    const prefixed = Buffer.allocUnsafe(4 + response.length);
    prefixed.writeUInt32BE(response.length, 0);
    response.copy(prefixed, 4);
    const table = decodeTable(prefixed);
    const username = asString(table['LOGIN']);
    const password = asString(table['PASSWORD']);
    if (username === undefined || password === undefined) return undefined;
    return { username, password };
  } catch {
    return undefined;
  }
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.');
}
