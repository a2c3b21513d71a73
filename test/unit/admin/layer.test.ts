import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * src/admin (warren-admin) is the top layer of src/ and a client only: it talks to the management API
 * over HTTP and imports nothing of the broker, so it works the same against RabbitMQ and ships without
 * pulling the broker in. Its imports: its own modules, node: built-ins and commander.
 */

const DIR = fileURLToPath(new URL('../../../src/admin', import.meta.url));
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function foreignImports(dir: string): string[] {
  const bad: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const re of [IMPORT, DYNAMIC]) {
      for (const m of text.matchAll(re)) {
        const spec = m[1] as string;
        const ok = spec.startsWith('node:') || spec === 'commander' || (spec.startsWith('./') && !spec.includes('/', 2));
        if (!ok) bad.push(`${file} imports ${spec}`);
      }
    }
  }
  return bad;
}

describe('src/admin layer', () => {
  it('imports only its own modules, node: built-ins and commander', () => {
    expect(readdirSync(DIR).length).toBeGreaterThan(3);
    expect(foreignImports(DIR)).toEqual([]);
  });
});
