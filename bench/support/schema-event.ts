/**
 * The typical event of issue 16's schema benchmark: about 1 KiB of JSON with 20 properties (strings,
 * numbers, booleans, string arrays) and a free-form description, and the 20-property schema it passes.
 * Shared by bench/schema-validate.ts and bench/broker-cpu.ts's scenarios bj and bs.
 */
export interface SchemaEvent {
  readonly schemaText: string;
  /** The event as JSON text, `size` bytes or a few more. */
  readonly text: string;
  readonly event: Record<string, unknown>;
}

export function schemaEvent(size = 1024): SchemaEvent {
  const props: Record<string, unknown> = {};
  const event: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++) {
    const kind = i % 4;
    const name = `field_${i}`;
    if (kind === 0) {
      props[name] = { type: 'string', maxLength: 64 };
      event[name] = `value-${i}-${'x'.repeat(20)}`;
    } else if (kind === 1) {
      props[name] = { type: 'number', minimum: 0 };
      event[name] = i * 1234.5;
    } else if (kind === 2) {
      props[name] = { type: 'boolean' };
      event[name] = i % 3 === 0;
    } else {
      props[name] = { type: 'array', items: { type: 'string' }, maxItems: 8 };
      event[name] = ['alpha-tag', 'beta-tag', 'gamma-tag'];
    }
  }
  // Padded with a free-form description (allowed: additionalProperties not restricted).
  const schemaText = JSON.stringify({ type: 'object', required: Object.keys(props), properties: props });
  const bare = JSON.stringify(event);
  event['description'] = 'd'.repeat(Math.max(0, size - bare.length - 20));
  return { schemaText, text: JSON.stringify(event), event };
}
