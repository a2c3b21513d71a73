import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERRORS_DOC,
  README,
  renderConfigTable,
  renderErrorsDoc,
  TABLE_END,
  TABLE_START,
  withConfigTable,
} from '../../scripts/gen-docs.js';
import { OPTIONS } from '../../src/config/schema.js';
import { ERROR_CODES } from '../../src/errors/codes.js';

const readme = existsSync(README) ? readFileSync(README, 'utf8') : '';
const hasMarkers = readme.includes(TABLE_START) && readme.includes(TABLE_END);

describe('generated docs are in sync', () => {
  it('docs/errors.md lists every error code', () => {
    const doc = renderErrorsDoc();
    for (const code of Object.keys(ERROR_CODES)) expect(doc).toContain(`| \`${code}\` |`);
    expect(readFileSync(ERRORS_DOC, 'utf8'), 'docs/errors.md is stale: run npm run gen:docs').toBe(doc);
  });

  it('README config table matches OPTIONS', () => {
    // Without its markers the table cannot be regenerated: that is a failure, not a reason to skip.
    expect(hasMarkers, `README.md lacks ${TABLE_START} / ${TABLE_END}`).toBe(true);
    const table = renderConfigTable();
    for (const option of OPTIONS) expect(table).toContain(`\`${option.flag} ${option.arg.replace(/\|/g, '\\|')}\``);
    expect(readme, 'README config table is stale: run npm run gen:docs').toBe(withConfigTable(readme, table));
  });
});

describe('withConfigTable', () => {
  it('replaces only the text between the markers', () => {
    const before = `# Title\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`;
    expect(withConfigTable(before, 'new')).toBe(`# Title\n${TABLE_START}\nnew\n${TABLE_END}\nafter\n`);
  });

  it('returns undefined when the markers are missing', () => {
    expect(withConfigTable('# no markers\n', 'new')).toBeUndefined();
    expect(withConfigTable(`${TABLE_END}\n${TABLE_START}\n`, 'new')).toBeUndefined();
  });
});
