/**
 * Broker CPU per message without sockets or a client process: the broker's own accept handler gets
 * fake sockets (EventEmitters); publish frames are emitted as 64 KB 'data' chunks, deliveries and
 * confirms are counted from the bytes the broker writes. One thread, no syscalls on the hot path.
 *   npx tsx bench/broker-cpu.ts TREE a|b N   (TREE: a checkout with a built dist/, e.g. a git worktree of the baseline)
 */
import net from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syncBuiltinESMExports } from 'node:module';
import { EventEmitter } from 'node:events';
import { FrameParser } from '../src/protocol/frame-parser.js';
import { encodeMethodFrame, encodeBasicPublishFrame, encodeBasicAckFrame, encodeBasicDeliverFrame } from '../src/protocol/methods.generated.js';
import { writeHeaderFrame, writeBodyFrames } from '../src/protocol/content-header.js';
import { Writer } from '../src/protocol/writer.js';
import { PROTOCOL_HEADER } from '../src/protocol/constants.js';

const [tree = '.', scen = 'a', nArg = '2000000'] = process.argv.slice(2);
const N = Number(nArg);
const listeners: ((s: unknown) => void)[] = [];
const orig = net.createServer;
(net as any).createServer = (opts: any, l: any) => { if (typeof l === 'function') listeners.push(l); return orig(opts, l); };
syncBuiltinESMExports();
const mod = await import(pathToFileURL(resolve(tree, "dist/src/index.js")).href);
await mod.startBroker({ port: 0, logLevel: 'warn', dataDir: `/tmp/warren-broker-cpu-${process.pid}`, heartbeat: 0 });

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

interface Client { sock: FakeSocket; waiters: { name: string; res: (m: any) => void }[]; }
function client(): Client {
  const sock = new FakeSocket();
  const c: Client = { sock, waiters: [] };
  const parser = new FrameParser({
    onProtocolHeader() {},
    onMethod(_ch: number, m: any) { const w = c.waiters.findIndex((x) => x.name === m.name); if (w >= 0) c.waiters.splice(w, 1)[0]!.res(m); },
    onContentHeader() {}, onBody() {}, onHeartbeat() {},
  } as any, { frameMax: 131072 });
  sock.onWrite = (b) => { parser.push(Buffer.from(b)); };
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
const size = scen === 'a' ? 16 : 1024;
const confirm = scen === 'b';
const noAck = scen === 'a';
const pub = await open('p');
const con = await open('c');
await call(con, 1, { name: 'queue.declare', ticket: 0, queue: 'q', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} }, 'queue.declare-ok');
if (!noAck) await call(con, 1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 1000, global: false }, 'basic.qos-ok');
if (confirm) await call(pub, 1, { name: 'confirm.select', nowait: false }, 'confirm.select-ok');
await call(con, 1, { name: 'basic.consume', ticket: 0, queue: 'q', consumerTag: 'ct', noLocal: false, noAck, exclusive: false, nowait: false, arguments: {} }, 'basic.consume-ok');

// One delivery's bytes, as the broker writes them.
const dw = new Writer(4096);
const body = Buffer.alloc(size, 120);
encodeBasicDeliverFrame(dw, 1, 'ct', 1, false, '', 'q');
writeHeaderFrame(dw, 1, 60, size, Buffer.from([0, 0]));
writeBodyFrames(dw, 1, body, 131072);
const perDelivery = dw.take().length;
const pw = new Writer(1 << 17);
let perChunk = 0;
while (pw.pos < 65536 - 2 * (size + 64)) {
  encodeBasicPublishFrame(pw, 1, 0, '', 'q', false, false);
  writeHeaderFrame(pw, 1, 60, size, Buffer.from([0, 0]));
  writeBodyFrames(pw, 1, body, 131072);
  perChunk++;
}
const chunkBytes = pw.take();
let deliveredBytes = 0;
let confirmedTag = 0;
con.sock.onWrite = (b) => { deliveredBytes += b.length; };
pub.sock.onWrite = (b) => { if (b.length >= 21) confirmedTag = Number(b.readBigUInt64BE(b.length - 21 + 11)); };
const ackW = new Writer(64);
let ackedTag = 0;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
async function run(count: number): Promise<void> {
  let sent = 0;
  const start = deliveredBytes / perDelivery;
  while (deliveredBytes / perDelivery - start < count) {
    if (sent < count && (!confirm || totalSent - confirmedTag < 2000)) {
      pub.sock.emit('data', Buffer.from(chunkBytes)); // a fresh buffer per read, as a socket gives
      sent += perChunk;
      totalSent += perChunk;
    }
    await turn();
    if (!noAck) {
      const tag = Math.floor(deliveredBytes / perDelivery);
      if (tag > ackedTag) { ackedTag = tag; encodeBasicAckFrame(ackW, 1, tag, true); con.sock.emit('data', ackW.take()); }
    }
  }
}
let totalSent = 0;
await run(Math.floor(N / 2)); // warm-up
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await run(N);
const cpu = process.cpuUsage(c0);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ tree: resolve(tree).split('/').pop(), scen, N, cpuUsPerMsg: Number(((cpu.user + cpu.system) / N).toFixed(3)), wallUsPerMsg: Number((wall * 1e6 / N).toFixed(3)) }));
process.exit(0);
