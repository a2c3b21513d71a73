import { amqpError } from '../errors/index.js';
import { MIN_FRAME_MAX } from '../protocol/constants.js';
import { asString, type FieldTable } from '../protocol/field-table.js';
import type { Method, MethodOf } from '../protocol/methods.generated.js';
import type { Connection } from './connection.js';
import { connectionEvent, diagnostics } from './diagnostics.js';
import { isLoopbackAddress, parseSaslResponse, SASL_MECHANISMS, type Credentials } from './sasl.js';
import { EXTERNAL, externalUsername, offeredMechanisms } from './sasl-external.js';
import { findUser } from './user-lookup.js';

export interface ClientInfo {
  readonly username: string;
  readonly product: string | undefined;
  readonly capabilities: Readonly<Record<string, boolean>>;
  readonly properties: FieldTable;
}

type Step = 'start-ok' | 'tune-ok' | 'open' | 'done';

type LoginRefusal = 'unsupported-mechanism' | 'malformed-response' | 'no-certificate-name' | 'unknown-user' | 'wrong-password' | 'loopback-only';

const LOGIN_REFUSAL_TEXT: Readonly<Record<LoginRefusal, string>> = {
  'unsupported-mechanism': 'unsupported SASL mechanism',
  'malformed-response': 'the SASL response did not parse',
  'no-certificate-name': 'no user name from a client certificate',
  'unknown-user': 'no such user',
  'wrong-password': 'wrong password',
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
    // EXTERNAL: the certificate names the user and no password is checked (see sasl-external.ts).
    const external = m.mechanism === EXTERNAL && this.conn.ctx.config.tlsSaslExternal ? externalUsername(this.conn.ctx.config, this.conn.socket) : undefined;
    const creds: Credentials | undefined =
      external === undefined ? parseSaslResponse(m.mechanism, m.response) : 'username' in external ? { username: external.username, password: '' } : undefined;
    const user = creds === undefined ? undefined : findUser(this.conn.ctx, creds.username);
    let refusal: string | undefined;
    // Why, for the operator's log only: the client is told the same thing for an unknown user and
    // a wrong password, as RabbitMQ does, so a login probe learns nothing.
    let why: LoginRefusal | undefined;
    if (external === undefined && !(SASL_MECHANISMS as readonly string[]).includes(m.mechanism)) {
      refusal = `unsupported authentication mechanism '${m.mechanism}'; supported: ${SASL_MECHANISMS.join(', ')}`;
      why = 'unsupported-mechanism';
    } else if (creds === undefined || user === undefined || (external === undefined && user.password !== creds.password)) {
      refusal = `Login was refused using authentication mechanism ${m.mechanism}. For details see the broker logfile.`;
      why = creds === undefined ? (external === undefined ? 'malformed-response' : 'no-certificate-name') : user === undefined ? 'unknown-user' : 'wrong-password';
    } else if (user.loopbackOnly === true && !isLoopbackAddress(this.conn.remoteAddress)) {
      refusal = `user '${user.name}' can only connect via localhost`;
      why = 'loopback-only';
    }
    if (refusal !== undefined) {
      this.conn.ctx.logger.warn(
        { event: 'connection.login-refused', ...this.conn.logFields(), user: creds?.username, mechanism: m.mechanism, why, ...(external !== undefined && 'refused' in external ? { certificate: external.refused } : {}) },
        `login refused (${external !== undefined && 'refused' in external ? external.refused : LOGIN_REFUSAL_TEXT[why as LoginRefusal]})`,
      );
      this.refuse(refusal, capabilities['authentication_failure_close'] === true);
      return;
    }
    this.client = {
      username: (creds as { username: string }).username,
      product: asString(m.clientProperties['product']),
      capabilities,
      properties: m.clientProperties,
    };
    this.conn.authenticated(this.client);
    // Where a client expects a login refusal, so it shows the reason (amqplib does only here).
    if (this.conn.openRefusal !== undefined) throw amqpError('WARREN_CONNECTION_LIMIT', this.conn.openRefusal);
    this.step = 'tune-ok';
    const { channelMax, frameMax, heartbeat } = this.conn.ctx.config;
    this.conn.sendMethod(0, { name: 'connection.tune', channelMax, frameMax, heartbeat });
  }

  /**
   * RabbitMQ closes with ACCESS_REFUSED only for clients that advertise
   * authentication_failure_close; older clients just see the socket close (spec 4.2.2).
   */
  private refuse(detail: string, sendClose: boolean): void {
    const error = amqpError('WARREN_ACCESS_REFUSED_LOGIN', detail);
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
    if (vhost === undefined) {
      this.conn.ctx.logger.warn(
        { event: 'connection.vhost-refused', ...this.conn.logFields(), vhost: m.virtualHost, why: 'no such vhost' },
        `vhost '${m.virtualHost}' refused: no such vhost`,
      );
      this.conn.connectionError(amqpError('WARREN_VHOST_NOT_ALLOWED', `vhost ${m.virtualHost} not found`).during(OPEN_REF), { logged: true });
      return;
    }
    this.step = 'done';
    this.conn.sendMethod(0, { name: 'connection.open-ok', knownHosts: '' });
    this.conn.opened(vhost, this.client as ClientInfo, this.conn.frameMax, this.conn.channelMax, this.conn.heartbeatMs / 1000);
    if (diagnostics.connectionOpen.hasSubscribers) diagnostics.connectionOpen.publish(connectionEvent(this.conn));
  }
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
