import { amqpError, type AmqpError } from '../errors/index.js';
import { MIN_FRAME_MAX } from '../protocol/constants.js';
import { asString, type FieldTable } from '../protocol/field-table.js';
import type { Method, MethodOf } from '../protocol/methods.generated.js';
import type { Connection } from './connection.js';
import { connectionEvent, diagnostics } from './diagnostics.js';
import { isLoopbackAddress, MAX_SASL_RESPONSE, parseSaslResponse, SASL_MECHANISMS } from './sasl.js';
import type { LoginResult } from '../core/security/users.js';
import { openLimitRefusal } from './open-limits.js';
import { EXTERNAL, externalUsername, offeredMechanisms } from './sasl-external.js';

type LoginFailure = Extract<LoginResult, { ok: false }>['why'];

export interface ClientInfo {
  readonly username: string;
  readonly product: string | undefined;
  readonly capabilities: Readonly<Record<string, boolean>>;
  readonly properties: FieldTable;
  /** The SASL mechanism of the login: PLAIN, AMQPLAIN or EXTERNAL (RabbitMQ: auth_mechanism). */
  readonly mechanism: string;
}

/** 'refusing': a failed login waits out its delay (login-throttle.ts); frames meanwhile are dropped. */
type Step = 'start-ok' | 'refusing' | 'tune-ok' | 'open' | 'done';

type LoginRefusal = 'unsupported-mechanism' | 'oversized-response' | 'malformed-response' | 'no-certificate-name' | LoginFailure | 'loopback-only';

const LOGIN_REFUSAL_TEXT: Readonly<Record<LoginRefusal, string>> = {
  'unsupported-mechanism': 'unsupported SASL mechanism',
  'oversized-response': `the SASL response is over ${MAX_SASL_RESPONSE} bytes`,
  'malformed-response': 'the SASL response did not parse',
  'no-certificate-name': 'no user name from a client certificate',
  'unknown-user': 'no such user',
  'wrong-password': 'wrong password',
  'passwordless-user': 'the user has no password (passwordless users cannot log in with a password)',
  'blank-password': 'blank password (refused, as RabbitMQ refuses it)',
  'loopback-only': 'the user may only connect from loopback',
};

const OPEN_REF = { classId: 10, methodId: 40 } as const;

/** The connection handshake (spec 2.2.4): start → start-ok → tune → tune-ok → open → open-ok. */
export class Handshake {
  private step: Step | 'header' = 'header';
  private client: ClientInfo | undefined;
  private readonly conn: Connection;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  /** How far the client got, for the log line of a connection that never opened. */
  get stage(): string {
    return this.step === 'header' ? 'protocol header' : `connection.${this.step}`;
  }

  start(): void {
    this.step = 'start-ok';
    this.conn.sendMethod(0, {
      name: 'connection.start',
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: this.conn.ctx.serverProperties,
      mechanisms: Buffer.from(offeredMechanisms(SASL_MECHANISMS, this.conn.ctx.config, this.conn.socket).join(' ')),
      locales: Buffer.from('en_US'),
    });
  }

  onMethod(method: Method): void {
    if (this.step === 'refusing') return;
    switch (method.name) {
      case 'connection.start-ok':
        return this.expect('start-ok', method) ?? this.onStartOk(method);
      case 'connection.tune-ok':
        return this.expect('tune-ok', method) ?? this.onTuneOk(method);
      case 'connection.open':
        return this.expect('open', method) ?? this.onOpen(method);
      default:
        throw amqpError('WARREN_COMMAND_INVALID', `unexpected ${method.name} during the connection handshake`);
    }
  }

  private expect(step: Step, method: Method): undefined {
    if (this.step !== step) {
      throw amqpError('WARREN_COMMAND_INVALID', `unexpected ${method.name} during the connection handshake (expected connection.${this.step})`);
    }
    return undefined;
  }

  private onStartOk(m: MethodOf<'connection.start-ok'>): void {
    const capabilities = readCapabilities(m.clientProperties);
    this.conn.noteClientProperties(m.clientProperties);
    const { why, username, detail } = this.login(m.mechanism, m.response);
    if (why !== undefined) {
      // The client is told the same thing for every bad credential, as RabbitMQ does, so a login
      // probe learns nothing; the operator's log says which it was.
      const refusal =
        why === 'unsupported-mechanism'
          ? mechanismRefused(m.mechanism, this.conn.ctx.config.tlsSaslExternal)
          : amqpError(
              'WARREN_ACCESS_REFUSED_LOGIN',
              why === 'loopback-only'
                ? `user '${username}' can only connect via localhost`
                : `Login was refused using authentication mechanism ${m.mechanism}. For details see the broker logfile.`,
            );
      // A mechanism refusal guesses no credential: not counted, not delayed, and told whatever the
      // client's capabilities (it is no authentication failure).
      const mechanismOnly = why === 'unsupported-mechanism';
      const { delayMs, failures } = mechanismOnly ? { delayMs: 0, failures: 0 } : this.conn.ctx.loginThrottle.failed(this.conn.remoteAddress, Date.now());
      this.conn.ctx.logger.warn(
        { event: 'connection.login-refused', ...this.conn.logFields(), user: username, mechanism: m.mechanism, why, failures, delayMs, ...(detail !== undefined ? { certificate: detail } : {}) },
        `login refused (${detail ?? LOGIN_REFUSAL_TEXT[why]})${delayMs > 0 ? `; refusal delayed ${delayMs} ms after ${failures} failures from this address` : ''}`,
      );
      const sendClose = capabilities['authentication_failure_close'] === true || mechanismOnly;
      if (delayMs === 0) return this.refuse(refusal, sendClose);
      this.step = 'refusing';
      setTimeout(() => {
        try {
          this.refuse(refusal, sendClose);
        } catch {
          this.conn.socket.destroy();
        }
      }, delayMs).unref();
      return;
    }
    this.client = {
      username: username as string,
      product: asString(m.clientProperties['product']),
      capabilities,
      properties: m.clientProperties,
      mechanism: m.mechanism,
    };
    this.conn.authenticated(this.client);
    this.step = 'tune-ok';
    const { channelMax, frameMax, heartbeat } = this.conn.ctx.config;
    this.conn.sendMethod(0, { name: 'connection.tune', channelMax, frameMax, heartbeat });
  }

  /** Checks the credentials against the users store; `why` is set when the login is refused. */
  private login(mechanism: string, response: Buffer): { why: LoginRefusal | undefined; username: string | undefined; detail?: string } {
    const { ctx } = this.conn;
    if (mechanism === EXTERNAL && offeredMechanisms(SASL_MECHANISMS, ctx.config, this.conn.socket).includes(EXTERNAL)) {
      // EXTERNAL: the client certificate names the user and no password is checked (sasl-external.ts).
      const external = externalUsername(ctx.config, this.conn.socket);
      if ('refused' in external) return { why: 'no-certificate-name', username: undefined, detail: external.refused };
      const user = ctx.users.record(external.username);
      if (user === undefined) return { why: 'unknown-user', username: external.username };
      if (user.loopbackOnly && !isLoopbackAddress(this.conn.remoteAddress)) return { why: 'loopback-only', username: external.username };
      return { why: undefined, username: external.username };
    }
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) return { why: 'unsupported-mechanism', username: undefined };
    // The frame is bounded by frame_max; a response this large is no credential, and is not parsed.
    if (response.length > MAX_SASL_RESPONSE) return { why: 'oversized-response', username: undefined };
    const creds = parseSaslResponse(mechanism, response);
    if (creds === undefined) return { why: 'malformed-response', username: undefined };
    const result = ctx.users.login(creds.username, creds.password);
    if (!result.ok) return { why: result.why, username: creds.username };
    if (result.user.loopbackOnly && !isLoopbackAddress(this.conn.remoteAddress)) return { why: 'loopback-only', username: creds.username };
    return { why: undefined, username: creds.username };
  }

  /**
   * RabbitMQ closes with ACCESS_REFUSED only for clients that advertise
   * authentication_failure_close; older clients just see the socket close (spec 4.2.2).
   */
  private refuse(error: AmqpError, sendClose: boolean): void {
    if (sendClose) {
      this.conn.connectionError(error, { logged: true });
    } else {
      this.conn.finish({ explained: true });
    }
  }

  private onTuneOk(m: MethodOf<'connection.tune-ok'>): void {
    const { frameMax: serverFrameMax, channelMax: serverChannelMax } = this.conn.ctx.config;
    const frameMax = m.frameMax === 0 ? serverFrameMax : m.frameMax;
    if (frameMax < MIN_FRAME_MAX) {
      throw amqpError('WARREN_TUNE_INVALID', `frame_max=${frameMax} < ${MIN_FRAME_MAX} min size`);
    }
    if (frameMax > serverFrameMax) {
      throw amqpError('WARREN_TUNE_INVALID', `frame_max=${frameMax} > ${serverFrameMax} max size`);
    }
    const channelMax = m.channelMax === 0 ? serverChannelMax : m.channelMax;
    if (channelMax > serverChannelMax) {
      throw amqpError('WARREN_TUNE_INVALID', `channel_max=${channelMax} > ${serverChannelMax} max`);
    }
    this.conn.tuned(frameMax, channelMax, m.heartbeat);
    this.step = 'open';
  }

  private onOpen(m: MethodOf<'connection.open'>): void {
    const vhost = this.conn.ctx.vhosts.get(m.virtualHost);
    const user = (this.client as ClientInfo).username;
    // RabbitMQ's order (rabbit_reader, connection.open): the node's limit, the vhost's and the
    // user's limits (a missing vhost is "not found" there), then the permission entry.
    const refusal =
      this.conn.openRefusal !== undefined
        ? { why: 'node limit', error: amqpError('WARREN_CONNECTION_LIMIT', this.conn.openRefusal) }
        : vhost === undefined
          ? { why: 'no such vhost', error: amqpError('WARREN_VHOST_NOT_ALLOWED', `vhost ${m.virtualHost} not found`) }
          : openLimitRefusal(this.conn.ctx, vhost.name, user, this.conn.ctx.access.canOpen(user, vhost.name));
    if (vhost === undefined || refusal !== undefined) {
      const { why, error } = refusal as { why: string; error: AmqpError };
      this.conn.ctx.logger.warn(
        { event: 'connection.vhost-refused', ...this.conn.logFields(), vhost: m.virtualHost, why },
        `vhost '${m.virtualHost}' refused: ${why.endsWith('limit') ? error.replyText : why}`,
      );
      this.conn.connectionError(error.during(OPEN_REF), { logged: true });
      return;
    }
    this.step = 'done';
    this.conn.sendMethod(0, { name: 'connection.open-ok', knownHosts: '' });
    this.conn.opened(vhost, this.client as ClientInfo, this.conn.frameMax, this.conn.channelMax, this.conn.heartbeatMs / 1000);
    this.conn.ctx.stats.connectionCreated(this.conn.id, vhost.name);
    if (diagnostics.connectionOpen.hasSubscribers) diagnostics.connectionOpen.publish(connectionEvent(this.conn));
  }
}

/**
 * A connection method after open-ok. connection.update-secret is answered as RabbitMQ's internal
 * users backend answers it: nothing expires, so the new secret is accepted and the connection stays
 * open (update-secret-ok). The secret itself is never logged.
 */
export function onRunningMethod(conn: Connection, method: Method): void {
  if (method.name === 'connection.update-secret') {
    conn.ctx.logger.info({ event: 'connection.secret-updated', ...conn.logFields(), reason: method.reason }, `secret updated, reason: ${method.reason}`);
    conn.sendMethod(0, { name: 'connection.update-secret-ok' });
    return;
  }
  // RabbitMQ's code for this: 504 "unexpected method in connection state running".
  throw amqpError('WARREN_CHANNEL_ERROR', `unexpected method ${method.name} on channel 0`);
}

/**
 * rabbit_reader:auth_mechanism_to_module's texts (503 COMMAND_INVALID): "invalid" for a mechanism
 * the broker has but does not offer on this connection (EXTERNAL, when enabled, on a plain TCP
 * connection), "unknown" for any other. RabbitMQ logs this and drops the socket 3 s later;
 * Warren sends it in connection.close (README, deviations).
 */
function mechanismRefused(mechanism: string, externalEnabled: boolean): AmqpError {
  const known = (SASL_MECHANISMS as readonly string[]).includes(mechanism) || (externalEnabled && mechanism === EXTERNAL);
  return amqpError('WARREN_SASL_MECHANISM_REFUSED', `${known ? 'invalid' : 'unknown'} authentication mechanism '${mechanism}'`);
}

function readCapabilities(props: FieldTable): Record<string, boolean> {
  const out: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
  const caps = props['capabilities'];
  if (caps === undefined || caps.type !== 'table') return out;
  for (const [key, value] of Object.entries(caps.value)) {
    if (value.type === 'bool') out[key] = value.value;
  }
  return out;
}
