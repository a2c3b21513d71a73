const root = process.env['BENCH_DIST'] === '1' ? '../dist/src' : '../src';
const { startBroker } = (await import(`${root}/index.js`)) as typeof import('../src/index.js');
const { brokerPrincipal } = (await import(`${root}/core/principal.js`)) as typeof import('../src/core/principal.js');
const { queueJson } = (await import(`${root}/http/format.js`)) as typeof import('../src/http/format.js');
const n = Number(process.argv[2] ?? 10000);
const broker = await startBroker({ port: 0, managementPort: 0, fsync: 'never' });
const vhost = broker.vhosts.get('/')!;
const owner = brokerPrincipal('/');
for (let i = 0; i < n; i++) vhost.declareQueue({ name: `q.${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, owner);
const rm = broker.readModel;
const t: Record<string, number[]> = { keys: [], snap: [], json: [], stringify: [] };
for (let i = 0; i < 15; i++) {
  let a = performance.now();
  const keys = rm.queueKeys();
  const sorted = [...keys].sort((x, y) => (x.name < y.name ? -1 : 1));
  t.keys!.push(performance.now() - a); a = performance.now();
  const snaps = rm.queuesOf(sorted);
  t.snap!.push(performance.now() - a); a = performance.now();
  const rows = snaps.map(queueJson);
  t.json!.push(performance.now() - a); a = performance.now();
  const s = JSON.stringify(rows);
  t.stringify!.push(performance.now() - a);
  if (i === 0) console.log('bytes', s.length, s.slice(0, 1200));
}
for (const [k, v] of Object.entries(t)) { const s = v.slice(3).sort((a, b) => a - b); console.log(k, 'median', s[Math.floor(s.length / 2)]!.toFixed(1), 'min', s[0]!.toFixed(1)); }
await broker.close();
