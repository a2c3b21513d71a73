/**
 * The Prometheus endpoint at scale (issue 18): GET /metrics/per-object with 100,000 queues (target < 1 s,
 * bounded memory) and the broker's CPU for a scrape every 5 s (target < 2% of one core). The broker runs
 * in a child process (forked, queues declared straight on the vhost to keep set-up short), so the CPU and
 * memory figures are the broker's alone, read through IPC; the parent scrapes over real HTTP and counts
 * the bytes without keeping them. Also: the same per-queue families through prom-client (Gauge with
 * vhost/queue labels, registry.metrics()), the library the issue suggests, to show why the per-queue
 * families are written by hand (src/http/prometheus/exposition.ts).
 *
 * `changed` (0..1): before each scrape (outside the measured CPU) that share of the queues gets one more
 * message, so their figures differ from the last scrape's; 0 is an idle broker, 1 one where every queue
 * moved since the last scrape (the kept per-family lines of kept-family.ts then help nothing).
 *
 *   npx tsx bench/prometheus-scale.ts [queues=100000] [runs=7] [changed=0]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';

const isChild = process.argv[2] === '--child';
const args = process.argv.slice(isChild ? 3 : 2);
const queues = Number(args[0] ?? 100_000);
const runs = Number(args[1] ?? 7);
const changed = Number(args[2] ?? 0);

interface ChildState {
  readonly cpuMs: number;
  /** Of which in the kernel (the socket writes, mostly). */
  readonly systemMs: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly peakHeapUsed: number;
  /** GCs so far and their pauses (ms), of each kind (minor, major), from a gc PerformanceObserver. */
  readonly gcMinor: number;
  readonly gcMajor: number;
  readonly gcMs: number;
}

async function child(): Promise<void> {
  const { startBroker } = await import('../src/index.js');
  const { brokerPrincipal } = await import('../src/core/principal.js');
  const { publishPlain } = await import('../src/core/plain-publish.js');
  const broker = await startBroker({ port: 0, prometheusPort: 0, fsync: 'never' });
  const vhost = broker.vhosts.get('/');
  if (vhost === undefined) throw new Error('no vhost /');
  const owner = brokerPrincipal('/');
  for (let i = 0; i < queues; i++) {
    vhost.declareQueue({ name: `q.${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, owner);
  }
  const { PerformanceObserver } = await import('node:perf_hooks');
  let gcMinor = 0;
  let gcMajor = 0;
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 1) gcMinor++;
      else gcMajor++;
      gcMs += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let peak = 0;
  let touched = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
  sampler.unref();
  process.on('message', (m: string) => {
    if (m === 'exit') return void broker.close().then(() => process.exit(0)); // a clean exit writes --cpu-prof's profile
    if (m === 'reset-peak') peak = process.memoryUsage().heapUsed;
    if (m === 'touch') {
      const n = Math.round(changed * queues);
      for (let k = 0; k < n; k++) {
        const i = (touched + k) % queues;
        publishPlain(vhost, 'amq.default', { routing_key: `q.${String(i).padStart(6, '0')}`, payload: 'x', payload_encoding: 'string', properties: {} });
      }
      touched = (touched + n) % queues;
    }
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, systemMs: cpu.system / 1000, heapUsed: mem.heapUsed, rss: mem.rss, peakHeapUsed: peak, gcMinor, gcMajor, gcMs } satisfies ChildState);
  });
  process.send?.({ port: broker.prometheusPort });
}

function ask(c: ChildProcess, what: string): Promise<ChildState> {
  return new Promise((resolve) => {
    c.once('message', (m) => resolve(m as ChildState));
    c.send(what);
  });
}

/** GETs the path, counting bytes (the body is dropped as it arrives); ms to the last byte and bytes. */
function scrape(port: number, path: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ ms: performance.now() - t0, bytes }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function promClient(): Promise<void> {
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const names = ['rabbitmq_queue_messages_ready', 'rabbitmq_queue_messages_unacked', 'rabbitmq_queue_messages', 'rabbitmq_queue_consumers', 'rabbitmq_queue_messages_ready_bytes', 'rabbitmq_queue_info'];
  const gauges = names.map((name) => new Gauge({ name, help: name, labelNames: ['vhost', 'queue'], registers: [registry] }));
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (const g of gauges) g.reset();
    for (let i = 0; i < queues; i++) {
      const labels = { vhost: '/', queue: `q.${String(i).padStart(6, '0')}` };
      for (const g of gauges) g.set(labels, i & 7);
    }
    bytes = (await registry.metrics()).length;
    times.push(performance.now() - t0);
  }
  console.log(`prom-client, the same 6 per-queue families for ${queues} queues (set + metrics(), in one string): median ${median(times).toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB`);
}

async function main(): Promise<void> {
  const c = fork(fileURLToPath(import.meta.url), ['--child', String(queues)], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter((f) => f !== '')], stdio: 'inherit' });
  const { port } = await new Promise<{ port: number }>((resolve) => c.once('message', (m) => resolve(m as { port: number })));
  try {
    for (const path of ['/metrics/per-object', '/metrics']) {
      await scrape(port, path); // warm-up
      const times: number[] = [];
      const cpus: number[] = [];
      const sys: number[] = [];
      let bytes = 0;
      let peakExtra = 0;
      const gc0 = await ask(c, 'state');
      for (let i = 0; i < runs; i++) {
        await ask(c, 'touch');
        const before = await ask(c, 'reset-peak');
        const r = await scrape(port, path);
        const after = await ask(c, 'state');
        times.push(r.ms);
        cpus.push(after.cpuMs - before.cpuMs);
        sys.push(after.systemMs - before.systemMs);
        bytes = r.bytes;
        peakExtra = Math.max(peakExtra, after.peakHeapUsed - before.heapUsed);
      }
      const state = await ask(c, 'state');
      const gcs = `GC over ${runs} scrapes: ${state.gcMinor - gc0.gcMinor} minor, ${state.gcMajor - gc0.gcMajor} major/incremental, ${(state.gcMs - gc0.gcMs).toFixed(0)} ms of pauses`;
      console.log(
        `${queues} queues (${changed * 100}% changed before each scrape), GET ${path}: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), ` +
          `broker CPU median ${median(cpus).toFixed(0)} ms/scrape (system ${median(sys).toFixed(0)}) = ${(median(cpus) / 50).toFixed(2)}% of a core at one scrape per 5 s; ` +
          `${(bytes / 1e6).toFixed(1)} MB; broker heap peak +${(peakExtra / 1e6).toFixed(0)} MB over ${(state.heapUsed / 1e6).toFixed(0)} MB (RSS ${(state.rss / 1e6).toFixed(0)} MB); ${gcs}`,
      );
    }
    // The broker's idle CPU over 5 s, for the scrape's share against what the broker spends anyway.
    const idle0 = await ask(c, 'state');
    await new Promise((r) => setTimeout(r, 5000));
    const idle1 = await ask(c, 'state');
    console.log(`broker idle CPU with ${queues} queues: ${(idle1.cpuMs - idle0.cpuMs).toFixed(0)} ms per 5 s (its own 5 s statistics sampling)`);
  } finally {
    c.send('exit');
    const killer = setTimeout(() => c.kill(), 10_000);
    await new Promise((r) => c.once('exit', r));
    clearTimeout(killer);
  }
  await promClient();
}

if (isChild) {
  await child();
} else {
  await main();
}
