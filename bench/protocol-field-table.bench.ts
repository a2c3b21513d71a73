/**
 * Field tables: decode and encode a 10-entry message-header table of typical types, plus decoding a whole
 * property list that carries it (what the headers exchange and dead-lettering pay).
 * Run: npm run bench -- protocol-field-table
 */
import { decodeProperties, encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { decodeTable, encodeTable, tableFromJs, writeTable } from '../src/protocol/field-table.js';
import { Writer } from '../src/protocol/writer.js';
import { bench, header, sink } from './harness.js';

const table = tableFromJs({
  'x-match': 'all',
  format: 'pdf',
  type: 'report',
  'x-retry-count': 3,
  'x-first-death-reason': 'rejected',
  tenant: 'tenant-42',
  priority: 1000,
  'x-delay': 60000,
  compressed: true,
  'trace-id': '4bf92f3577b34da6a3ce929d0e0e4736',
});
const bytes = encodeTable(table);
const props = encodePropertiesBuffer({ contentType: 'application/json', deliveryMode: 2, headers: table });

header('field tables');
bench('decode 10-entry table', () => {
  sink.value = decodeTable(bytes);
});
const w = new Writer(4096);
bench('encode 10-entry table', () => {
  w.reset();
  writeTable(w, table);
});
sink.value = w.pos;
bench('decode properties with that table', () => {
  sink.value = decodeProperties(props);
});
process.stdout.write(`  (table: ${bytes.length} bytes)\n`);
