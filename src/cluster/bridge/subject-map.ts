import type { InvalidSubject } from './bridge-value.js';

/**
 * Routing key <-> subject. Templates name the whole ({routing_key} or {subject}) or one word/token
 * ({1}, {2}..., 1-based; a missing one is empty). A routing key is any string of up to 255 bytes,
 * a subject is not: what cannot be a subject is either repaired ('replace') or refused ('reject').
 */

function fill(template: string, whole: string, wholeName: string): string {
  if (template === `{${wholeName}}`) return whole; // the default: no split
  const words = whole.split('.');
  return template.replace(/\{([^}]*)\}/g, (_, p: string) => (p === wholeName ? whole : (words[Number(p) - 1] ?? '')));
}

/**
 * The subject for a routing key, or undefined when it is not a subject and the bridge rejects such
 * keys. 'replace': whitespace, '*' and '>' become '_', and an empty token (an empty key, '..', a
 * leading or trailing dot) becomes '_'.
 */
export function subjectFor(template: string, routingKey: string, invalid: InvalidSubject): string | undefined {
  const subject = fill(template, routingKey, 'routing_key');
  if (isPublishSubject(subject)) return subject;
  if (invalid === 'reject') return undefined;
  return subject
    .replace(/[\s*>\u0000]/g, '_')
    .split('.')
    .map((t) => (t === '' ? '_' : t))
    .join('.');
}

/** The routing key for a subject, or undefined when it is longer than the 255 bytes a shortstr takes. */
export function routingKeyFor(template: string, subject: string): string | undefined {
  const key = fill(template, subject, 'subject');
  return Buffer.byteLength(key) > 255 ? undefined : key;
}

function isPublishSubject(s: string): boolean {
  if (s === '' || /[\s*>\u0000]/.test(s)) return false;
  return !s.split('.').includes('');
}
