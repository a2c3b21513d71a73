const root = process.env['BENCH_DIST'] === '1' ? '../dist/src' : '../src';
const { startBroker } = (await import(`${root}/index.js`)) as typeof import('../src/index.js');
const { brokerPrincipal } = (await import(`${root}/core/principal.js`)) as typeof import('../src/core/principal.js');
const auth = 'Basic ' + Buffer.from('guest:guest').toString('base64');
const n = Number(process.argv[2] ?? 10000);
const url = process.argv[3] ?? '/api/queues';
const broker = await startBroker({ port: 0, managementPort: 0, fsync: 'never' });
const vhost = broker.vhosts.get('/')!;
const owner = brokerPrincipal('/');
for (let i = 0; i < n; i++) vhost.declareQueue({ name: `q.${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, owner);
const app = broker.managementApp!;
const times: number[] = [];
for (let i = 0; i < 12; i++) {
  const c = process.cpuUsage();
  const res = await app.inject({ method: 'GET', url, headers: { authorization: auth } });
  const u = process.cpuUsage(c);
  if (res.statusCode !== 200) throw new Error(String(res.statusCode));
  times.push((u.user + u.system) / 1000);
}
const s = times.slice(2).sort((a, b) => a - b);
console.log(`cpu ms per request: median ${s[Math.floor(s.length / 2)]!.toFixed(1)} min ${s[0]!.toFixed(1)}`);
await broker.close();
