/**
 * The policy suites' adapter: the same scenario sets policies and operator policies on Warren through
 * the Broker API (broker.policies, broker.operatorPolicies) and reads queues through broker.readModel,
 * or, with POLICY_REFERENCE_URL=amqp://guest:guest@127.0.0.1:5673, does both on a reference RabbitMQ
 * through rabbitmqctl (/work/shared/tools/rabbitmq.sh ctl, RABBITMQ_PORT taken from the URL).
 *
 * Each file works in its own vhost (created in beforeAll, guest granted everything), so files that
 * run in parallel against one reference node never see each other's policies. The policies a test
 * sets are cleared after it.
 *
 * Queue info on the reference: RabbitMQ 3.10's `rabbitmqctl list_queues` accepts `policy` and
 * `messages` but refuses `operator_policy` and `effective_policy_definition` ("Info key(s) ... are
 * not supported"; 3.12+ list them), although the queue process reports all four. So the reference is
 * asked with `rabbitmqctl eval` of rabbit_amqqueue:info/2 for exactly those keys, encoded as JSON
 * ({"policy":"p","operator_policy":"","effective_policy_definition":{"max-length":2},"messages":0}).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { openBroker } from '../../helpers/broker.js';
import { PolicyError, type Broker, type PoliciesApi, type PolicyInput } from '../../../src/index.js';

const REFERENCE_URL = process.env['POLICY_REFERENCE_URL'];
const RABBITMQ_SH = '/work/shared/tools/rabbitmq.sh';
const run = promisify(execFile);

export const onReference = REFERENCE_URL !== undefined;
/** For assertions only Warren makes (RabbitMQ leaves the case unspecified). */
export const onWarren = !onReference;

export type ApplyTo = 'queues' | 'exchanges' | 'classic_queues' | 'quorum_queues' | 'all';
export type Definition = Readonly<Record<string, string | number | boolean>>;

export interface PolicyOptions {
  readonly priority?: number;
  readonly applyTo?: ApplyTo;
}

export interface QueueInfo {
  /** The user policy in force, undefined when none (RabbitMQ prints ''). */
  readonly policy: string | undefined;
  readonly operatorPolicy: string | undefined;
  /** The user policy's definition merged with the operator policy's ({} when neither). */
  readonly effectivePolicyDefinition: Readonly<Record<string, unknown>>;
  readonly messages: number;
}

/** A refused set_policy: rabbitmqctl's error text (stderr without "Error:"), or Warren's PolicyError. */
export interface PolicyRefusal {
  readonly text: string;
  /** Warren only: the PolicyError's HTTP status and error name. */
  readonly status?: number;
  readonly error?: string;
}

export interface PolicyAdmin {
  readonly vhost: string;
  connect(): Promise<amqp.ChannelModel>;
  setPolicy(name: string, pattern: string, definition: Definition, options?: PolicyOptions): Promise<void>;
  clearPolicy(name: string): Promise<void>;
  setOperatorPolicy(name: string, pattern: string, definition: Definition, options?: PolicyOptions): Promise<void>;
  clearOperatorPolicy(name: string): Promise<void>;
  /** Sets a policy that must be refused; resolves with the refusal, fails when it is accepted. */
  refusedPolicy(name: string, pattern: string, definition: Definition, options?: PolicyOptions & { readonly operator?: boolean }): Promise<PolicyRefusal>;
  /** clear_policy of a name that does not exist: rabbitmqctl's error text / whether Warren deleted anything. */
  clearMissingPolicy(name: string): Promise<string | boolean>;
  queueInfo(vhost: string, name: string): Promise<QueueInfo | undefined>;
  /** The policy in force on an exchange (list_exchanges name policy / the read model). */
  exchangePolicy(vhost: string, name: string): Promise<string | undefined>;
}

async function ctl(args: readonly string[]): Promise<string> {
  const port = new URL(REFERENCE_URL as string).port;
  const { stdout } = await run(RABBITMQ_SH, ['ctl', ...args], { env: { ...process.env, RABBITMQ_PORT: port } });
  return stdout;
}

/** rabbitmqctl's error output for a failed command, as the tests compare it. */
async function ctlError(args: readonly string[]): Promise<string | undefined> {
  try {
    await ctl(args);
    return undefined;
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? err);
    return stderr.replace(/^Error:\s*/, '').trim();
  }
}

const erlBinary = (s: string): string => `<<"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"/utf8>>`;

function referenceInfoExpr(vhost: string, name: string): string {
  return [
    `case rabbit_amqqueue:lookup(rabbit_misc:r(${erlBinary(vhost)}, queue, ${erlBinary(name)})) of`,
    ' {ok, Q} ->',
    '  [{policy, P}, {operator_policy, O}, {effective_policy_definition, E}, {messages, M}] =',
    '   rabbit_amqqueue:info(Q, [policy, operator_policy, effective_policy_definition, messages]),',
    '  io:format("~s~n", [rabbit_json:encode(#{policy => P, operator_policy => O,',
    '   effective_policy_definition => maps:from_list(E), messages => M})]);',
    ' _ -> io:format("null~n")',
    'end.',
  ].join('\n');
}

const blankToUndefined = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** rabbitmqctl set_policy's arguments (options before the positional name, pattern, definition). */
function setArgs(command: string, vhost: string, name: string, pattern: string, definition: Definition, options: PolicyOptions): string[] {
  const args = [command, '-p', vhost];
  if (options.priority !== undefined) args.push('--priority', String(options.priority));
  if (options.applyTo !== undefined) args.push('--apply-to', options.applyTo);
  args.push(name, pattern, JSON.stringify(definition));
  return args;
}

/** Every rabbitmqctl call starts a VM (about 1 s, several on a loaded machine): tests get longer there. */
const TEST_TIMEOUT = REFERENCE_URL === undefined ? 20_000 : 180_000;
const WAIT_TIMEOUT = REFERENCE_URL === undefined ? 5_000 : 60_000;

export function policyAdmin(vhost: string): PolicyAdmin {
  vi.setConfig({ testTimeout: TEST_TIMEOUT, hookTimeout: TEST_TIMEOUT });
  let broker: Broker | undefined;
  let close: (() => Promise<void>) | undefined;
  let base = REFERENCE_URL === undefined ? undefined : new URL(REFERENCE_URL);
  const open: amqp.ChannelModel[] = [];
  const setDuringTest: Array<{ name: string; operator: boolean }> = [];

  beforeAll(async () => {
    if (REFERENCE_URL !== undefined) {
      await ctl(['delete_vhost', vhost]).catch(() => undefined); // a leftover from an interrupted run
      await ctl(['add_vhost', vhost]);
      await ctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
      return;
    }
    const opened = await openBroker();
    broker = opened.broker;
    close = opened.close;
    base = new URL(broker.url);
    await broker.createVhost(vhost);
    await broker.permissions.set({ user: 'guest', vhost, configure: '.*', write: '.*', read: '.*' });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
    for (const { name, operator } of setDuringTest.splice(0)) {
      if (REFERENCE_URL !== undefined) await ctl([operator ? 'clear_operator_policy' : 'clear_policy', '-p', vhost, name]).catch(() => undefined);
      else await policies(operator).delete(vhost, name);
    }
  });
  afterAll(async () => {
    if (REFERENCE_URL !== undefined) await ctl(['delete_vhost', vhost]);
    await close?.();
  });

  const warren = (): Broker => {
    if (broker === undefined) throw new Error('broker not started');
    return broker;
  };
  const policies = (operator: boolean): PoliciesApi => (operator ? warren().operatorPolicies : warren().policies);
  const input = (pattern: string, definition: Definition, options: PolicyOptions): PolicyInput => ({
    pattern,
    definition,
    ...(options.applyTo === undefined ? {} : { 'apply-to': options.applyTo }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
  });
  const set = async (operator: boolean, name: string, pattern: string, definition: Definition, options: PolicyOptions = {}): Promise<void> => {
    setDuringTest.push({ name, operator });
    if (REFERENCE_URL !== undefined) await ctl(setArgs(operator ? 'set_operator_policy' : 'set_policy', vhost, name, pattern, definition, options));
    else await policies(operator).set(vhost, name, input(pattern, definition, options));
  };
  const clear = async (operator: boolean, name: string): Promise<void> => {
    if (REFERENCE_URL !== undefined) await ctl([operator ? 'clear_operator_policy' : 'clear_policy', '-p', vhost, name]);
    else if (!(await policies(operator).delete(vhost, name))) throw new Error(`no policy '${name}' to clear`);
  };

  return {
    vhost,
    connect: async () => {
      if (base === undefined) throw new Error('broker not started');
      const u = new URL(base.href);
      u.pathname = `/${encodeURIComponent(vhost)}`;
      const conn = await amqp.connect(u.href);
      conn.on('error', () => undefined);
      open.push(conn);
      return conn;
    },
    setPolicy: (name, pattern, definition, options) => set(false, name, pattern, definition, options),
    clearPolicy: (name) => clear(false, name),
    setOperatorPolicy: (name, pattern, definition, options) => set(true, name, pattern, definition, options),
    clearOperatorPolicy: (name) => clear(true, name),
    refusedPolicy: async (name, pattern, definition, options = {}) => {
      const operator = options.operator === true;
      setDuringTest.push({ name, operator });
      if (REFERENCE_URL !== undefined) {
        const text = await ctlError(setArgs(operator ? 'set_operator_policy' : 'set_policy', vhost, name, pattern, definition, options));
        if (text === undefined) throw new Error(`expected set_policy ${name} ${JSON.stringify(definition)} to be refused`);
        return { text };
      }
      try {
        await policies(operator).set(vhost, name, input(pattern, definition, options));
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        // rabbitmqctl's stderr ends with a newline the reason also carries: both compared trimmed.
        return { text: err.reason.trim(), status: err.status, error: err.error };
      }
      throw new Error(`expected policy ${name} ${JSON.stringify(definition)} to be refused`);
    },
    clearMissingPolicy: async (name) => {
      if (REFERENCE_URL !== undefined) return (await ctlError(['clear_policy', '-p', vhost, name])) ?? 'cleared';
      return policies(false).delete(vhost, name);
    },
    queueInfo: async (v, name) => {
      if (REFERENCE_URL !== undefined) {
        const out = (await ctl(['eval', referenceInfoExpr(v, name)])).split('\n')[0] ?? 'null';
        const parsed = JSON.parse(out) as null | { policy: unknown; operator_policy: unknown; effective_policy_definition: Record<string, unknown>; messages: number };
        if (parsed === null) return undefined;
        return {
          policy: blankToUndefined(parsed.policy),
          operatorPolicy: blankToUndefined(parsed.operator_policy),
          effectivePolicyDefinition: parsed.effective_policy_definition,
          messages: parsed.messages,
        };
      }
      const q = warren().readModel.queue(v, name);
      if (q === undefined) return undefined;
      return {
        policy: q.policy,
        operatorPolicy: q.operatorPolicy,
        effectivePolicyDefinition: { ...q.effectivePolicyDefinition },
        messages: q.messages,
      };
    },
    exchangePolicy: async (v, name) => {
      if (REFERENCE_URL !== undefined) {
        const rows = JSON.parse(await ctl(['list_exchanges', '-p', v, 'name', 'policy', '--formatter', 'json'])) as Array<{ name: string; policy: unknown }>;
        return blankToUndefined(rows.find((r) => r.name === name)?.policy);
      }
      return warren().readModel.exchange(v, name)?.policy;
    },
  };
}

/**
 * Polls until ok(probe()) holds and resolves with that value; fails after timeoutMs naming what was
 * awaited and the last value seen. RabbitMQ applies a policy to its queues after set_policy returns.
 */
export async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = WAIT_TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the queue reports the given user policy (undefined: none) and resolves with its info. */
export async function policyApplied(admin: PolicyAdmin, queue: string, policy: string | undefined, operatorPolicy?: string): Promise<QueueInfo> {
  const info = await waitFor(
    () => admin.queueInfo(admin.vhost, queue),
    (i) => i !== undefined && i.policy === policy && (operatorPolicy === undefined || i.operatorPolicy === operatorPolicy),
    `queue '${queue}' to have policy ${String(policy)}${operatorPolicy === undefined ? '' : ` and operator policy ${operatorPolicy}`}`,
  );
  return info as QueueInfo;
}

/** Publishes the bodies to the queue through the default exchange and waits for the confirms. */
export async function publishAll(ch: amqp.ConfirmChannel, queue: string, bodies: readonly string[], options: amqp.Options.Publish = {}): Promise<void> {
  for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b), options);
  await ch.waitForConfirms();
}
