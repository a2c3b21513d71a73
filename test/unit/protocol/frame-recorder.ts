// A FrameSink that records what the parser emits, and the committed frame fixtures.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FrameParser, type FrameSink } from '../../../src/protocol/frame-parser.js';
import { METHOD_IDS, type Method } from '../../../src/protocol/methods.generated.js';

export type FrameEvent =
  | { readonly kind: 'protocol-header' }
  | { readonly kind: 'method'; readonly channel: number; readonly method: Method }
  | { readonly kind: 'header'; readonly channel: number; readonly classId: number; readonly bodySize: number; readonly properties: Buffer }
  | { readonly kind: 'body'; readonly channel: number; readonly body: Buffer }
  | { readonly kind: 'heartbeat'; readonly channel: number };

export class Recorder implements FrameSink {
  readonly events: FrameEvent[] = [];
  onProtocolHeader(): void {
    this.events.push({ kind: 'protocol-header' });
  }
  onMethod(channel: number, method: Method): void {
    this.events.push({ kind: 'method', channel, method });
  }
  onContentHeader(channel: number, classId: number, bodySize: number, properties: Buffer): void {
    this.events.push({ kind: 'header', channel, classId, bodySize, properties });
  }
  onBody(channel: number, body: Buffer): void {
    this.events.push({ kind: 'body', channel, body });
  }
  onHeartbeat(channel: number): void {
    this.events.push({ kind: 'heartbeat', channel });
  }
}

export interface FrameFixture {
  readonly name: string;
  readonly description: string;
  readonly frameMax: number;
  readonly expectProtocolHeader: boolean;
  readonly hex: string;
  readonly events: readonly Record<string, unknown>[];
}

const FIXTURES_PATH = fileURLToPath(new URL('../../../fixtures/frames/frames.json', import.meta.url));

export function loadFrameFixtures(): FrameFixture[] {
  return JSON.parse(readFileSync(FIXTURES_PATH, 'utf8')) as FrameFixture[];
}

/** The parser's events in the summary shape the fixtures store. */
export function summarize(events: readonly FrameEvent[]): Record<string, unknown>[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'method':
        return { kind: 'method', channel: e.channel, id: [...METHOD_IDS[e.method.name]] };
      case 'header':
        return { kind: 'header', channel: e.channel, classId: e.classId, bodySize: e.bodySize };
      case 'body':
        return { kind: 'body', channel: e.channel, hex: e.body.toString('hex') };
      default:
        return { ...e };
    }
  });
}

export interface ParseResult {
  readonly events: FrameEvent[];
  readonly error: ReturnType<FrameParser['push']>;
}

/** Feeds `bytes` cut at the given offsets (any order, duplicates allowed) and records the outcome. */
export function parseSplit(
  bytes: Buffer,
  cuts: readonly number[],
  options: { frameMax: number; expectProtocolHeader?: boolean },
): ParseResult {
  const sink = new Recorder();
  const parser = new FrameParser(sink, options);
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)))].sort((a, b) => a - b);
  let error: ReturnType<FrameParser['push']>;
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p === prev && p !== bytes.length) continue;
    // Copies, so no chunk shares memory with the next one: like socket chunks.
    error = parser.push(Buffer.from(bytes.subarray(prev, p)));
    prev = p;
  }
  return { events: sink.events, error };
}
