/**
 * Broker CPU per message without sockets or a client process: the broker's own accept handler gets
 * fake sockets (EventEmitters); publish frames are emitted as 64 KB 'data' chunks, deliveries are
 * counted by walking the frames the broker writes, confirms from the last basic.ack's tag. One thread,
 * no syscalls on the hot path. Scenarios use bench/perf's parameters (compare.ts) and topology
 * (perf-<type> exchange, key perf.key, topology.ts's binding keys):
 *   a  direct, 16 B, auto-ack            b  direct, 1 KiB, confirms (1,000 in flight), manual ack, prefetch 1,000
 *   d  fanout to 10 queues, 10 consumers, 256 B, auto-ack
 *   e  topic, 10,000 bindings, random literal keys, 16 B, auto-ack
 *   bj b with a 1 KiB JSON event (bench/support/schema-event.ts), content-type application/json
 *   bs bj through an x-schema exchange (20-property schema the event passes): bj/bs is the cost of the check
 * Unlike the socket tool, the consumer here acks every turn, so (b) stays a steady state (no queue
 * growth, no paging): it measures the per-message path, not the paging backlog.

 *   npx tsx bench/broker-cpu.ts TREE a|b|d|e N   (TREE: a checkout with a built dist/, e.g. a git worktree of the baseline)
 * Instructions per message (deterministic, for a loaded machine): collect only the measured run,
 *   BROKER_CPU_CALLGRIND=1 valgrind --tool=callgrind --instr-atstart=no --dump-instr=no \
 *     --callgrind-out-file=OUT node --single-threaded --import tsx bench/broker-cpu.ts TREE a 20000
 * and divide the "Collected" total by N.
 */
import net from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syncBuiltinESMExports } from 'node:module';
import { EventEmitter } from 'node:events';
import { FrameParser } from '../src/protocol/frame-parser.js';
import { encodeMethodFrame, encodeBasicPublishFrame, encodeBasicAckFrame } from '../src/protocol/methods.generated.js';
import { writeHeaderFrame, writeBodyFrames, encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { randomBindingKeys } from './perf/topology.js';
import { schemaEvent } from './support/schema-event.js';
import { Writer } from '../src/protocol/writer.js';
import { PROTOCOL_HEADER } from '../src/protocol/constants.js';

const [tree = '.', scen = 'a', nArg = '2000000'] = process.argv.slice(2);
const N = Number(nArg);
const listeners: ((s: unknown) => void)[] = [];
const orig = net.createServer;
(net as any).createServer = (opts: any, l: any) => { if (typeof l === 'function') listeners.push(l); return orig(opts, l); };
syncBuiltinESMExports();
const mod = await import(pathToFileURL(resolve(tree, "dist/src/index.js")).href);
const dataDir = `/tmp/warren-broker-cpu-${process.pid}`;
const broker = await mod.startBroker({ port: 0, logLevel: 'warn', dataDir, heartbeat: 0 });

class FakeSocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 40000 + Math.floor(Math.random() * 1000);
  writableLength = 0;
  destroyed = false;
  onWrite: (b: Buffer) => void = () => {};
  setNoDelay() {} setKeepAlive() {} cork() {} uncork() {} pause() {} resume() {} ref() {} unref() {} setTimeout() {}
  write(b: Buffer) { this.onWrite(b); return true; }
  end() {} destroy() { this.destroyed = true; }
}

interface Client { sock: FakeSocket; waiters: { name: string; res: (m: any) => void }[]; parse: (b: Buffer) => void }
function client(): Client {
  const sock = new FakeSocket();
  const c: Client = { sock, waiters: [], parse: () => {} };
  const parser = new FrameParser({
    onProtocolHeader() {},
    onMethod(_ch: number, m: any) { const w = c.waiters.findIndex((x) => x.name === m.name); if (w >= 0) c.waiters.splice(w, 1)[0]!.res(m); },
    onContentHeader() {}, onBody() {}, onHeartbeat() {},
  } as any, { frameMax: 131072 });
  c.parse = (b) => { parser.push(Buffer.from(b)); };
  sock.onWrite = c.parse;
  (listeners[0] as any)(sock);
  return c;
}
const w = new Writer(1 << 16);
function send(c: Client, ch: number, m: any): void { encodeMethodFrame(w, ch, m); c.sock.emit('data', w.take()); }
function expect(c: Client, name: string): Promise<any> { return new Promise((res) => c.waiters.push({ name, res })); }
async function call(c: Client, ch: number, m: any, reply: string): Promise<any> { const p = expect(c, reply); send(c, ch, m); return p; }
async function open(name: string): Promise<Client> {
  const c = client();
  const started = expect(c, 'connection.start');
  c.sock.emit('data', Buffer.from(PROTOCOL_HEADER));
  await started;
  const tune = await call(c, 0, { name: 'connection.start-ok', clientProperties: { connection_name: { type: 'string', value: name } }, mechanism: 'PLAIN', response: Buffer.from('\0guest\0guest'), locale: 'en_US' }, 'connection.tune');
  send(c, 0, { name: 'connection.tune-ok', channelMax: tune.channelMax, frameMax: 131072, heartbeat: 0 });
  await call(c, 0, { name: 'connection.open', virtualHost: '/', capabilities: '', insist: false }, 'connection.open-ok');
  await call(c, 1, { name: 'channel.open', outOfBand: '' }, 'channel.open-ok');
  return c;
}
interface Scenario { size: number; confirm: boolean; noAck: boolean; type: 'direct' | 'fanout' | 'topic'; queues: number; bindings: number; randomKeys: boolean; json?: 'plain' | 'schema' }
const SCENARIOS: Record<string, Scenario> = {
  a: { size: 16, confirm: false, noAck: true, type: 'direct', queues: 1, bindings: 0, randomKeys: false },
  b: { size: 1024, confirm: true, noAck: false, type: 'direct', queues: 1, bindings: 0, randomKeys: false },
  // b with bench/support/schema-event.ts's 1 KiB JSON event, content-type application/json: bj without, bs with x-schema on the exchange.
  bj: { size: 1024, confirm: true, noAck: false, type: 'direct', queues: 1, bindings: 0, randomKeys: false, json: 'plain' },
  bs: { size: 1024, confirm: true, noAck: false, type: 'direct', queues: 1, bindings: 0, randomKeys: false, json: 'schema' },
  d: { size: 256, confirm: false, noAck: true, type: 'fanout', queues: 10, bindings: 0, randomKeys: false },
  e: { size: 16, confirm: false, noAck: true, type: 'topic', queues: 1, bindings: 10000, randomKeys: true },
};
const sc = SCENARIOS[scen];
if (sc === undefined) throw new Error(`scenario ${scen}: one of ${Object.keys(SCENARIOS).join(', ')}`);
const { confirm, noAck } = sc;
const jsonEvent = sc.json === undefined ? undefined : schemaEvent(sc.size);
const size = jsonEvent === undefined ? sc.size : Buffer.byteLength(jsonEvent.text);
const exchangeArgs = sc.json === 'schema' ? { 'x-schema': { type: 'string', value: jsonEvent!.schemaText } } : {};
const exchange = `perf-${sc.type}`;
const pub = await open('p');
const cons: Client[] = [];
for (let i = 0; i < sc.queues; i++) cons.push(await open(`c${i}`));
const ctl = cons[0]!;
await call(ctl, 1, { name: 'exchange.declare', ticket: 0, exchange, type: sc.type, passive: false, durable: false, autoDelete: false, internal: false, nowait: false, arguments: exchangeArgs }, 'exchange.declare-ok');
const bindingKeys = sc.bindings > 0 ? randomBindingKeys(sc.bindings) : [];
for (let i = 0; i < sc.queues; i++) {
  const q = `q${i}`;
  await call(ctl, 1, { name: 'queue.declare', ticket: 0, queue: q, passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} }, 'queue.declare-ok');
  for (const key of bindingKeys) send(ctl, 1, { name: 'queue.bind', ticket: 0, queue: q, exchange, routingKey: key, nowait: true, arguments: {} });
  await call(ctl, 1, { name: 'queue.bind', ticket: 0, queue: q, exchange, routingKey: sc.type === 'fanout' ? '' : 'perf.key', nowait: false, arguments: {} }, 'queue.bind-ok');
}
for (let i = 0; i < sc.queues; i++) {
  const c = cons[i]!;
  if (!noAck) await call(c, 1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 1000, global: false }, 'basic.qos-ok');
  await call(c, 1, { name: 'basic.consume', ticket: 0, queue: `q${i}`, consumerTag: `perf-${i}`, noLocal: false, noAck, exclusive: false, nowait: false, arguments: {} }, 'basic.consume-ok');
}
if (confirm) await call(pub, 1, { name: 'confirm.select', nowait: false }, 'confirm.select-ok');

// Publish chunks of about 64 KB, as the perf producer writes them; random keys: 32 different chunks.
const publishKeys = sc.randomKeys ? bindingKeys.filter((k) => !k.includes('*') && !k.includes('#')) : ['perf.key'];
let rng = 0x9e3779b9;
const nextRandom = (): number => { rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5; rng >>>= 0; return rng; };
const body = jsonEvent === undefined ? Buffer.alloc(size, 120) : Buffer.from(jsonEvent.text);
const props = encodePropertiesBuffer(jsonEvent === undefined ? { deliveryMode: 1 } : { deliveryMode: 1, contentType: 'application/json' });
const chunks: { bytes: Buffer; count: number }[] = [];
for (let k = 0; k < (sc.randomKeys ? 32 : 1); k++) {
  const pw = new Writer(1 << 17);
  let count = 0;
  while (pw.pos < 65536 - 2 * (size + 128)) {
    encodeBasicPublishFrame(pw, 1, 0, exchange, publishKeys[nextRandom() % publishKeys.length]!, false, false);
    writeHeaderFrame(pw, 1, 60, size, props);
    writeBodyFrames(pw, 1, body, 131072);
    count++;
  }
  chunks.push({ bytes: pw.take(), count });
}

/** Counts basic.deliver frames in what the broker writes (frames may span writes). */
class DeliverCounter {
  delivered = 0;
  private skip = 0;
  private head = Buffer.alloc(11);
  private headLen = 0;
  push(b: Buffer): void {
    let at = 0;
    while (at < b.length) {
      if (this.skip > 0) { const n = Math.min(this.skip, b.length - at); this.skip -= n; at += n; continue; }
      const n = Math.min(11 - this.headLen, b.length - at);
      b.copy(this.head, this.headLen, at, at + n);
      this.headLen += n;
      at += n;
      if (this.headLen < 11) return;
      this.headLen = 0;
      const type = this.head[0]!;
      const len = this.head.readUInt32BE(3);
      if (type === 1 && this.head.readUInt16BE(7) === 60 && this.head.readUInt16BE(9) === 60) this.delivered++;
      this.skip = len + 1 - 4; // payload + frame-end, minus the 4 bytes of class/method already read
    }
  }
}
const counters = cons.map((c) => { const d = new DeliverCounter(); c.sock.onWrite = (b) => d.push(b); return d; });
const deliveries = (): number => { let n = 0; for (const d of counters) n += d.delivered; return n; };
let confirmedTag = 0;
pub.sock.onWrite = (b) => { if (b.length >= 21) confirmedTag = Number(b.readBigUInt64BE(b.length - 21 + 11)); };
const ackW = new Writer(64);
const ackedTag = cons.map(() => 0);
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
let totalSent = 0;
/** Most messages published and not yet delivered, after a turn (the queue's depth, roughly). */
let backlog = 0;
let nextChunk = 0;
async function run(count: number): Promise<void> {
  let sent = 0;
  const start = deliveries();
  while (deliveries() - start < count) {
    if (sent * sc!.queues < count && (!confirm || totalSent - confirmedTag < 1000)) {
      const chunk = chunks[nextChunk++ % chunks.length]!;
      pub.sock.emit('data', Buffer.from(chunk.bytes)); // a fresh buffer per read, as a socket gives
      sent += chunk.count;
      totalSent += chunk.count;
    }
    await turn();
    backlog = Math.max(backlog, totalSent * sc!.queues - deliveries());
    if (!noAck) {
      for (let i = 0; i < cons.length; i++) {
        const tag = counters[i]!.delivered;
        if (tag > ackedTag[i]!) { ackedTag[i] = tag; encodeBasicAckFrame(ackW, 1, tag, true); cons[i]!.sock.emit('data', ackW.take()); }
      }
    }
  }
}
await run(N); // warm-up: the JIT settles before measuring
// Under valgrind --tool=callgrind --instr-atstart=no, BROKER_CPU_CALLGRIND=1 collects only the measured run.
const callgrind = (on: boolean): Promise<void> => new Promise((res, rej) => {
  execFile('callgrind_control', ['-i', on ? 'on' : 'off', String(process.pid)], (err) => (err ? rej(err) : res()));
});
if (process.env.BROKER_CPU_CALLGRIND === '1') await callgrind(true);
// BROKER_CPU_HEAPPROF=FILE: sampled allocations of the measured run (collected ones included), by stack.
const heapProf = process.env.BROKER_CPU_HEAPPROF;
const session = heapProf === undefined ? undefined : new inspector.Session();
const post = (method: string, params?: object): Promise<any> => new Promise((res, rej) => session!.post(method, params, (err, r) => (err ? rej(err) : res(r))));
if (session !== undefined) {
  session.connect();
  await post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await run(N);
const cpu = process.cpuUsage(c0);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
if (process.env.BROKER_CPU_CALLGRIND === '1') await callgrind(false);
if (session !== undefined) writeFileSync(heapProf!, JSON.stringify((await post('HeapProfiler.stopSampling')).profile));
pub.sock.onWrite = pub.parse;
const depth = (await call(pub, 1, { name: 'queue.declare', ticket: 0, queue: 'q0', passive: true, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} }, 'queue.declare-ok')).messageCount;
rmSync(dataDir, { recursive: true, force: true });
// bs: the proof the check ran (every message of both runs counted valid).
const schemaStats = broker.readModel.exchange('/', exchange)?.schemaStats;
console.log(JSON.stringify({ tree: resolve(tree).split('/').pop(), scen, N, queued: depth, backlog, ...(schemaStats === undefined ? {} : { schemaStats }), cpuUsPerMsg: Number(((cpu.user + cpu.system) / N).toFixed(3)), wallUsPerMsg: Number((wall * 1e6 / N).toFixed(3)) }));
process.exit(0);
