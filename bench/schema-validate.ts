/**
 * The x-schema check of one message (core/exchange/schema.ts), split into its steps: a typical 1 KiB
 * event against a 20-property schema (issue 16's goal: under 2 µs per message for the check).
 *   npx tsx bench/schema-validate.ts
 * The steps: the depth scan over the bytes, body.toString + JSON.parse, ajv's compiled validate on the
 * parsed value, and SchemaCheck.check (all of them). An invalid event (first error only, allErrors
 * false) and a 65-deep body (refused by the scan, unparsed) show the failing paths.
 */
import { bracketsExceed, nestingExceeds, SchemaCache, SchemaCheck } from '../src/core/exchange/schema.js';
import { bench, header, sink } from './harness.js';
import { schemaEvent } from './support/schema-event.js';

const { schemaText, text, event } = schemaEvent();
const body = Buffer.from(text);
const cache = new SchemaCache();
const validate = cache.compile(schemaText);
const check = new SchemaCheck({ source: schemaText, text: schemaText, validate, contentTypes: ['application/json'], maxBytes: 1024 * 1024, maxDepth: 64 });
const invalid = Buffer.from(JSON.stringify({ ...event, field_1: 'not a number' }));
const deep = Buffer.from('['.repeat(65) + ']'.repeat(65));
if (check.check(body) !== 'valid') throw new Error(`the event should be valid: ${check.reason}`);
if (check.check(invalid) !== 'invalid') throw new Error('the invalid event should be invalid');

header(`x-schema check, ${body.length} B event, 20-property schema`);
bench('bracket count (bracketsExceed, what a typical event costs)', () => {
  sink.value = bracketsExceed(body, 64);
});
bench('exact depth scan (nestingExceeds, only over 64 brackets)', () => {
  sink.value = nestingExceeds(body, 64);
});
bench('toString + JSON.parse', () => {
  sink.value = JSON.parse(body.toString('utf8'));
});
const parsed: unknown = JSON.parse(text);
bench('ajv validate (parsed value)', () => {
  sink.value = validate(parsed);
});
bench('SchemaCheck.check, valid (all steps)', () => {
  sink.value = check.check(body);
});
bench('SchemaCheck.check, invalid (first error)', () => {
  sink.value = check.check(invalid);
});
bench('SchemaCheck.check, 65 deep (refused by the scan)', () => {
  sink.value = check.check(deep);
});
bench('SchemaCheck.applies (content-type match)', () => {
  sink.value = check.applies('application/json');
});
