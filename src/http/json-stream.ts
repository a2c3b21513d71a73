import { Readable } from 'node:stream';
import type { ChunkedList } from './list-query.js';

/** Rows per chunk: about 1 MB of queue JSON, a few ms of formatting on a loaded machine. */
export const CHUNK_ROWS = 1000;

/**
 * One JSON array, as RabbitMQ answers, written a chunk of rows at a time: each chunk is formatted and
 * stringified only when the reader (the socket) wants more, so a list of 100,000 queues never holds
 * more than one chunk's objects and bytes beside its keys (bench/management-list.ts measures the
 * heap), and the event loop serves other sockets between chunks. The bytes are exactly those of
 * JSON.stringify(allRows).
 */
export function jsonArrayStream(list: ChunkedList, rowsPerChunk = CHUNK_ROWS): Readable {
  let at = 0;
  let written = false;
  return new Readable({
    read() {
      for (;;) {
        if (at >= list.length) {
          this.push(written ? ']' : '[]');
          this.push(null);
          return;
        }
        const to = Math.min(at + rowsPerChunk, list.length);
        let text: string;
        try {
          text = JSON.stringify(list.rows(at, to));
        } catch (err) {
          this.destroy(err as Error);
          return;
        }
        at = to;
        if (text === '[]') continue; // every row of the chunk went (its queues were deleted meanwhile)
        // The chunk's own '[' opens the array; later chunks trade theirs for a ','; the last ']' comes at the end.
        this.push(written ? ',' + text.slice(1, -1) : text.slice(0, -1));
        written = true;
        return;
      }
    },
  });
}
