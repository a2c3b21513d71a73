/**
 * Management API listing at scale (issue 14): GET /api/queues with every queue's stats for 10,000
 * queues (target < 200 ms), and one page of 100 of 100,000 queues (target < 50 ms). Measured through
 * fastify's inject() (routing, auth, formatting and serialization; no socket) and once over a real
 * HTTP listener. Queues are declared straight on the vhost to keep set-up short.
 *
 *   npx tsx bench/management-list.ts [runs=9]
 * With BENCH_DIST=1 it runs the compiled broker (dist/, `npm run build` first), as `npm start` does:
 * under tsx every function also pays esbuild's keepNames wrapper.
 */
const root = process.env['BENCH_DIST'] === '1' ? '../dist/src' : '../src';
const { startBroker } = (await import(`${root}/index.js`)) as typeof import('../src/index.js');
const { brokerPrincipal } = (await import(`${root}/core/principal.js`)) as typeof import('../src/core/principal.js');

const runs = Number(process.argv[2] ?? 9);
const auth = 'Basic ' + Buffer.from('guest:guest').toString('base64');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function measure(label: string, fn: () => Promise<number>): Promise<void> {
  await fn(); // warm-up (compiles the serializers)
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = await fn();
    times.push(performance.now() - t0);
  }
  console.log(`${label}: median ${median(times).toFixed(1)} ms, min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)} (${runs} runs, ${(bytes / 1e6).toFixed(2)} MB reply)`);
}

async function scenario(queues: number, url: string): Promise<void> {
  const broker = await startBroker({ port: 0, managementPort: 0, fsync: 'never' });
  try {
    const vhost = broker.vhosts.get('/');
    if (vhost === undefined) throw new Error('no vhost /');
    const owner = brokerPrincipal('/');
    for (let i = 0; i < queues; i++) {
      vhost.declareQueue({ name: `q.${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, owner);
    }
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
  } finally {
    await broker.close();
  }
}

await scenario(10_000, '/api/queues');
await scenario(100_000, '/api/queues?page=50&page_size=100');
