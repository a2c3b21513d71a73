import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A private network namespace joined to this one by a veth pair, so a test can connect to the broker
 * from an address that is not loopback. Only the two addresses below are used, on an interface that
 * exists for the test's lifetime; nothing else on the network is touched. Needs root (CAP_NET_ADMIN and
 * CAP_SYS_ADMIN); createNetns says why when it cannot.
 */
export const HOST_ADDRESS = '10.99.77.1';
export const NS_ADDRESS = '10.99.77.2';
const PREFIX_LENGTH = 30;

export interface Netns {
  readonly name: string;
  readonly hostAddress: string;
  readonly nsAddress: string;
  /** Runs a program inside the namespace and collects its output. */
  exec(argv: readonly string[], timeoutMs?: number): Promise<ExecResult>;
  /** Removes the veth pair and the namespace; safe to call twice. */
  destroy(): Promise<void>;
}

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function ip(args: readonly string[]): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile('ip', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr: stderr || (err?.message ?? '') });
    });
  });
}

/** Creates the namespace, or returns the reason it cannot (to skip the test with). */
export async function createNetns(): Promise<Netns | { readonly skip: string }> {
  if (process.platform !== 'linux') return { skip: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { skip: 'creating a network namespace needs root (ip netns add)' };
  // Interface names are limited to 15 bytes.
  const id = randomBytes(4).toString('hex');
  const name = `warren-test-${id}`;
  const hostIf = `wh${id}`;
  const nsIf = `wn${id}`;
  let created = false;
  const destroy = async (): Promise<void> => {
    if (!created) return;
    created = false;
    // Deleting one end of a veth pair deletes both; the namespace goes last.
    await ip(['link', 'del', hostIf]);
    await ip(['netns', 'del', name]);
  };
  const steps: (readonly string[])[] = [
    ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf],
    ['link', 'set', nsIf, 'netns', name],
    ['addr', 'add', `${HOST_ADDRESS}/${PREFIX_LENGTH}`, 'dev', hostIf],
    ['link', 'set', hostIf, 'up'],
    ['netns', 'exec', name, 'ip', 'addr', 'add', `${NS_ADDRESS}/${PREFIX_LENGTH}`, 'dev', nsIf],
    ['netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up'],
    ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'],
  ];
  const first = await ip(['netns', 'add', name]);
  if (first.code !== 0) return { skip: `ip netns add is not permitted here: ${first.stderr.trim()}` };
  created = true;
  for (const args of steps) {
    const r = await ip(args);
    if (r.code !== 0) {
      await destroy();
      return { skip: `could not set up the test namespace (ip ${args.join(' ')}): ${r.stderr.trim()}` };
    }
  }
  return {
    name,
    hostAddress: HOST_ADDRESS,
    nsAddress: NS_ADDRESS,
    exec: (argv, timeoutMs = 20_000) => run(['netns', 'exec', name, ...argv], timeoutMs),
    destroy,
  };
}

function run(args: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // No `ip` binary (iproute2 not installed): report it as a failed command, so the test skips with why.
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') resolve({ code: 127, stdout, stderr: 'the ip command is missing (apt-get install iproute2)' });
      else reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
