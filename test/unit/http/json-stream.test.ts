import { describe, expect, it } from 'vitest';
import { jsonArrayStream } from '../../../src/http/json-stream.js';
import { ChunkedList, type Json } from '../../../src/http/list-query.js';

async function text(list: ChunkedList, rowsPerChunk: number): Promise<{ text: string; chunks: number }> {
  let out = '';
  let chunks = 0;
  for await (const chunk of jsonArrayStream(list, rowsPerChunk)) {
    out += (chunk as Buffer).toString();
    chunks++;
  }
  return { text: out, chunks };
}

const rows = (n: number): Json[] => Array.from({ length: n }, (_, i) => ({ name: `q${i}`, n: i, nested: { rate: i / 3, s: 'é"\\' } }));

describe('jsonArrayStream', () => {
  it('writes exactly JSON.stringify of all rows, a chunk at a time', async () => {
    for (const [n, per] of [[0, 3], [1, 3], [3, 3], [7, 3], [10, 1], [2500, 1000]] as const) {
      const all = rows(n);
      let formatted = 0;
      const list = new ChunkedList(n, (from, to) => {
        formatted += to - from;
        return all.slice(from, to);
      });
      const { text: t, chunks } = await text(list, per);
      expect(t).toBe(JSON.stringify(all));
      expect(formatted).toBe(n); // each row formatted once
      if (n > per) expect(chunks).toBeGreaterThan(1);
    }
  });

  it('leaves out rows gone by the time their chunk is formatted, and stays one valid array', async () => {
    const all = rows(10);
    // Chunks of 2: the first, third and last come back empty (their queues were deleted meanwhile).
    const gone = new Set([0, 1, 4, 5, 8, 9]);
    const list = new ChunkedList(10, (from, to) => all.slice(from, to).filter((_, i) => !gone.has(from + i)));
    const { text: t } = await text(list, 2);
    expect(t).toBe(JSON.stringify(all.filter((_, i) => !gone.has(i))));
    const none = new ChunkedList(4, () => []);
    expect((await text(none, 2)).text).toBe('[]');
  });

  it('formats a chunk only when the reader asks for it', async () => {
    let formatted = 0;
    const list = new ChunkedList(5000, (from, to) => {
      formatted += to - from;
      return rows(to - from);
    });
    const stream = jsonArrayStream(list, 1000);
    await new Promise((r) => stream.once('readable', r));
    expect(formatted).toBe(1000); // the stream's buffer wanted one chunk, not the whole list
    stream.destroy();
  });
});
