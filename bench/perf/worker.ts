/** Worker-thread entry: one AgentHost, driven by { id, op, arg } messages from the runner. */
import { parentPort, workerData } from 'node:worker_threads';
import { AgentHost, type AgentSpec } from './agent-host.js';
import type { WorkerRequest, WorkerReply } from './worker-agent.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread');
const host = new AgentHost(workerData as AgentSpec);

port.on('message', (req: WorkerRequest) => {
  const reply = (r: WorkerReply): void => port.postMessage(r);
  let result: Promise<unknown>;
  switch (req.op) {
    case 'connectConsumers':
      result = host.connectConsumers();
      break;
    case 'connectProducers':
      result = host.connectProducers();
      break;
    case 'startProducers':
      result = host.startProducers();
      break;
    case 'snapshot':
      result = host.snapshot();
      break;
    case 'stopProducers':
      result = host.stopProducers(req.arg ?? 0);
      break;
    case 'close':
      result = host.close();
      break;
  }
  result.then(
    (value) => reply({ id: req.id, value }),
    (err: unknown) => reply({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
