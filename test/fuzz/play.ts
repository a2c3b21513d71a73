import { connect } from 'node:net';
import { PROTOCOL_HEADER } from '../../src/protocol/constants.js';
import { FrameParser, type FrameSink } from '../../src/protocol/frame-parser.js';
import type { Method } from '../../src/protocol/methods.generated.js';
import { ReplyCode } from '../../src/errors/reply-codes.js';
import { methodFrame } from './wire.js';
import type { Step } from './session.js';

/** What one replayed session saw from the server. */
export interface Outcome {
  /** Reply codes of the server's connection.close / channel.close, in order. */
  readonly connectionCloses: number[];
  readonly channelCloses: number[];
  /** reply text of every close, for signatures. */
  readonly closeTexts: string[];
  /** The server closed the socket (as opposed to us, at the end of the case). */
  serverClosed: boolean;
  /** The server sent connection.close-ok (an answer to a close we sent). */
  sawCloseOk: boolean;
  /** Our first 8 bytes were not the AMQP 0-9-1 header (the server may drop the socket then). */
  readonly badProtocolHeader: boolean;
  /** The server answered with a protocol header (refusing our version). */
  sawProtocolHeader: boolean;
  /** The server's bytes did not parse: a codec bug on the sending side. */
  decodeError: string | undefined;
  /** Could not connect at all. */
  connectError: string | undefined;
  readonly methods: Map<string, number>;
  /** Our end's port: the broker's log names a connection by it. */
  localPort: number | undefined;
}

export const PROPER_REPLY_CODES: ReadonlySet<number> = new Set(Object.values(ReplyCode).filter((c) => c !== ReplyCode.INTERNAL_ERROR));

export interface PlayOptions {
  readonly port: number;
  readonly host?: string;
  /** After the last step: wait this long with nothing arriving before ending the case. */
  readonly settleMs?: number;
  /** Hard cap on one case, steps included. */
  readonly maxMs?: number;
  /** Split consecutive sends at these fractions of their bytes (split-safety); default one write. */
  readonly splitPoints?: readonly number[];
  /** Caps every await step: a local broker answers in a few ms, a mutated session often never does. */
  readonly awaitCapMs?: number;
}

/** Plays a session over a fresh TCP connection and reports what the server did. Never throws. */
export function playSession(steps: readonly Step[], opts: PlayOptions): Promise<Outcome> {
  const first = steps.find((s) => s.kind === 'send');
  const head = first?.kind === 'send' ? first.bytes.subarray(0, 8) : Buffer.alloc(0);
  const outcome: Outcome = {
    connectionCloses: [],
    channelCloses: [],
    closeTexts: [],
    serverClosed: false,
    sawCloseOk: false,
    badProtocolHeader: !head.equals(PROTOCOL_HEADER),
    sawProtocolHeader: false,
    decodeError: undefined,
    connectError: undefined,
    methods: new Map(),
    localPort: undefined,
  };
  const settleMs = opts.settleMs ?? 25;
  const maxMs = opts.maxMs ?? 3000;
  return new Promise((resolve) => {
    const socket = connect({ port: opts.port, host: opts.host ?? '127.0.0.1', noDelay: true });
    let lastData = Date.now();
    let closed = false;
    let done = false;
    let wake: (() => void) | undefined;
    const started = Date.now();
    const hardStop = setTimeout(() => finish(), maxMs);
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(hardStop);
      wake?.();
      socket.destroy();
      resolve(outcome);
    };
    const sink: FrameSink = {
      onProtocolHeader: () => undefined,
      onMethod: (channel: number, m: Method) => {
        outcome.methods.set(m.name, (outcome.methods.get(m.name) ?? 0) + 1);
        if (m.name === 'connection.close') {
          outcome.connectionCloses.push(m.replyCode);
          outcome.closeTexts.push(m.replyText);
          socket.write(methodFrame(0, { name: 'connection.close-ok' }));
        } else if (m.name === 'channel.close') {
          outcome.channelCloses.push(m.replyCode);
          outcome.closeTexts.push(m.replyText);
          socket.write(methodFrame(channel, { name: 'channel.close-ok' }));
        } else if (m.name === 'connection.close-ok') {
          outcome.sawCloseOk = true;
        }
      },
      onContentHeader: () => undefined,
      onBody: () => undefined,
      onHeartbeat: () => undefined,
    };
    const parser = new FrameParser(sink, { frameMax: 1 << 24 });
    let firstChunk = true;
    socket.on('data', (chunk: Buffer) => {
      lastData = Date.now();
      if (firstChunk) {
        firstChunk = false;
        if (chunk.length >= 8 && chunk.subarray(0, 4).toString('latin1') === 'AMQP') {
          outcome.sawProtocolHeader = true;
          return;
        }
      }
      if (outcome.decodeError !== undefined || outcome.sawProtocolHeader) return;
      const err = parser.push(chunk);
      if (err !== undefined) outcome.decodeError = err.message;
      wake?.();
    });
    socket.on('error', (err) => {
      if (!socket.connecting && closed) return;
      if (socket.connecting || (err as NodeJS.ErrnoException).code === 'ECONNREFUSED') outcome.connectError = err.message;
    });
    socket.on('close', () => {
      closed = true;
      if (!done) outcome.serverClosed = true;
      finish();
    });
    const count = (name: string): number => outcome.methods.get(name) ?? 0;
    const wait = (ms: number, until?: () => boolean): Promise<void> =>
      new Promise((r) => {
        const t = setTimeout(() => {
          wake = undefined;
          r();
        }, ms);
        wake = () => {
          if (until === undefined || until() || done) {
            clearTimeout(t);
            wake = undefined;
            r();
          }
        };
        if (until?.()) wake();
      });
    socket.once('connect', () => {
      outcome.localPort = socket.localPort;
      void (async () => {
        let pending: Buffer[] = [];
        const flush = (): void => {
          if (pending.length === 0) return;
          const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
          pending = [];
          lastData = Date.now(); // the settle below waits for the answer to these bytes
          let at = 0;
          for (const f of opts.splitPoints ?? []) {
            const cut = Math.floor(f * bytes.length);
            if (cut > at && cut < bytes.length) {
              socket.write(bytes.subarray(at, cut));
              at = cut;
            }
          }
          socket.write(bytes.subarray(at));
        };
        for (const step of steps) {
          if (done || closed) break;
          if (step.kind === 'send') {
            pending.push(step.bytes);
            continue;
          }
          flush();
          if (step.kind === 'sleep') await wait(step.ms);
          else await wait(step.uncapped === true ? step.timeoutMs : Math.min(step.timeoutMs, opts.awaitCapMs ?? Infinity), () => count(step.method) >= step.count || closed);
        }
        flush();
        // Settle: let the server answer (and timers run out) until it goes quiet.
        while (!done && !closed) {
          const quiet = Date.now() - lastData;
          if (quiet >= settleMs || Date.now() - started > maxMs) break;
          await wait(settleMs - quiet);
        }
        finish();
      })();
    });
  });
}

/** Findings in one outcome, each as a short signature; empty when the server behaved. */
export function judge(o: Outcome): string[] {
  const found: string[] = [];
  if (o.connectError !== undefined) return found; // the broker is gone: the crash check reports it
  for (let i = 0; i < o.connectionCloses.length; i++) {
    const code = o.connectionCloses[i]!;
    if (code === ReplyCode.INTERNAL_ERROR) found.push(`541 connection.close`);
    else if (!PROPER_REPLY_CODES.has(code)) found.push(`improper reply code ${code} in connection.close`);
  }
  for (const code of o.channelCloses) {
    if (code === ReplyCode.INTERNAL_ERROR) found.push(`541 channel.close`);
    else if (!PROPER_REPLY_CODES.has(code)) found.push(`improper reply code ${code} in channel.close`);
  }
  if (o.decodeError !== undefined) found.push(`server sent undecodable bytes: ${o.decodeError.replace(/\d+/g, 'N')}`);
  // Before open-ok a drop can be right: RabbitMQ drops a failed login when the client did not
  // advertise authentication_failure_close. After it, every close should be announced.
  const opened = (o.methods.get('connection.open-ok') ?? 0) > 0;
  const silentDrop = o.serverClosed && opened && o.connectionCloses.length === 0 && !o.sawCloseOk && !o.badProtocolHeader && !o.sawProtocolHeader;
  if (silentDrop) found.push('socket dropped without connection.close after connection.open-ok');
  return found;
}
