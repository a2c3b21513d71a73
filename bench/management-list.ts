/**
 * Management API listing at scale (issue 14): GET /api/queues with every queue's stats for 10,000
 * queues (target < 200 ms), one page of 100 of 100,000 queues (target < 50 ms), and the memory a whole
 * list of 100,000 queues takes while it is answered. Measured through fastify's inject() (routing,
 * auth, formatting and serialization; no socket) and over a real HTTP listener. Queues are declared
 * straight on the vhost to keep set-up short. Besides wall time (noisy on a loaded machine) it prints
 * the process's CPU time per request (all threads, so GC helpers count).
 *
 *   npx tsx bench/management-list.ts [runs=9] [which=all|list|page|memory]
 *
 * BENCH_DIST=1 runs the compiled broker (dist/, `npm run build` first), as `npm start` does: under
 * tsx every function also pays esbuild's keepNames wrapper. BENCH_TREE=/path runs another checkout's
 * dist/ (a baseline), for a before/after in the same load.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const tree = process.env['BENCH_TREE'];
const root = tree !== undefined ? pathToFileURL(resolve(tree, 'dist/src')).href : process.env['BENCH_DIST'] === '1' ? '../dist/src' : '../src';
const { startBroker } = (await import(`${root}/index.js`)) as typeof import('../src/index.js');
const { brokerPrincipal } = (await import(`${root}/core/principal.js`)) as typeof import('../src/core/principal.js');

const runs = Number(process.argv[2] ?? 9);
const which = process.argv[3] ?? 'all';
const auth = 'Basic ' + Buffer.from('guest:guest').toString('base64');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function measure(label: string, fn: () => Promise<number>): Promise<void> {
  await fn(); // warm-up (compiles the serializers)
  const times: number[] = [];
  const cpus: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    bytes = await fn();
    times.push(performance.now() - t0);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  console.log(
    `${label}: median ${median(times).toFixed(1)} ms, min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; ` +
      `CPU median ${median(cpus).toFixed(1)} ms, min ${Math.min(...cpus).toFixed(1)} (${runs} runs, ${(bytes / 1e6).toFixed(2)} MB reply)`,
  );
}

async function withQueues(queues: number, fn: (broker: Awaited<ReturnType<typeof startBroker>>) => Promise<void>): Promise<void> {
  const broker = await startBroker({ port: 0, managementPort: 0, fsync: 'never' });
  try {
    const vhost = broker.vhosts.get('/');
    if (vhost === undefined) throw new Error('no vhost /');
    const owner = brokerPrincipal('/');
    for (let i = 0; i < queues; i++) {
      vhost.declareQueue({ name: `q.${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, owner);
    }
    await fn(broker);
  } finally {
    await broker.close();
  }
}

async function scenario(queues: number, url: string): Promise<void> {
  await withQueues(queues, async (broker) => {
    const app = broker.managementApp!;
    const inject = async (): Promise<number> => {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: auth } });
      if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body.slice(0, 200)}`);
      return res.rawPayload.length;
    };
    await measure(`${queues} queues, GET ${url} (inject)`, inject);
    const http = async (): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${broker.managementPort}${url}`, { headers: { authorization: auth } });
      return (await res.arrayBuffer()).byteLength;
    };
    await measure(`${queues} queues, GET ${url} (HTTP)`, http);
  });
}

/**
 * Peak heap and RSS above the idle broker's while a whole list of 100,000 queues is read over HTTP by
 * a client that counts the bytes and keeps none. The heap (plus external memory: Buffers) is sampled every millisecond the event loop
 * turns and once per received chunk; the RSS peak is the process's high-water mark (getrusage), so an
 * allocation made and freed within one turn still shows.
 */
async function memory(queues: number): Promise<void> {
  await withQueues(queues, async (broker) => {
    const read = async (): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${broker.managementPort}/api/queues`, { headers: { authorization: auth } });
      let bytes = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
      return bytes;
    };
    // No warm-up read: its peak would already be in the RSS high-water mark.
    await new Promise((r) => setTimeout(r, 200));
    const used = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external; // external: the reply's Buffers
    };
    const heap0 = used();
    const rss0 = process.memoryUsage().rss;
    const maxRss0 = process.resourceUsage().maxRSS * 1024;
    let peakHeap = heap0;
    const sample = (): void => {
      peakHeap = Math.max(peakHeap, used());
    };
    const timer = setInterval(sample, 1);
    const t0 = performance.now();
    const bytes = await read();
    const ms = performance.now() - t0;
    clearInterval(timer);
    sample();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const mb = (n: number): string => (n / 1e6).toFixed(0);
    console.log(
      `${queues} queues, whole GET /api/queues (HTTP, ${mb(bytes)} MB read as it arrives) in ${ms.toFixed(0)} ms: ` +
        `heap+external ${mb(heap0)} MB idle, peak +${mb(peakHeap - heap0)} MB; RSS ${mb(rss0)} MB idle, high-water mark ${mb(maxRss0)} -> ${mb(maxRss)} MB (+${mb(maxRss - Math.max(rss0, maxRss0))} MB)`,
    );
  });
}

if (which === 'all' || which === 'list') await scenario(10_000, '/api/queues');
if (which === 'all' || which === 'page') await scenario(100_000, '/api/queues?page=50&page_size=100');
if (which === 'all' || which === 'memory') await memory(100_000);
