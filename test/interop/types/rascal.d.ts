// rascal ships no type declarations; this covers the part of its promise API the interop test uses.
declare module 'rascal' {
  import type { EventEmitter } from 'node:events';
  import type { Message } from 'amqplib';

  export type AckOrNack = (err?: Error, recovery?: { strategy: 'nack' | 'ack'; requeue?: boolean }) => void;

  export interface PublicationSession extends EventEmitter {
    on(event: 'success', listener: (messageId: string) => void): this;
    on(event: 'return', listener: (message: Message) => void): this;
    on(event: 'error', listener: (err: Error, messageId: string) => void): this;
  }

  export interface SubscriptionSession extends EventEmitter {
    on(event: 'message', listener: (message: Message, content: unknown, ackOrNack: AckOrNack) => void): this;
    on(event: 'error' | 'invalid_content' | 'redeliveries_exceeded', listener: (err: Error) => void): this;
    cancel(): Promise<void>;
  }

  export interface PublishOverrides {
    routingKey?: string;
    options?: Record<string, unknown>;
  }

  export interface RascalBroker extends EventEmitter {
    publish(name: string, message: unknown, overrides?: string | PublishOverrides): Promise<PublicationSession>;
    subscribe(name: string): Promise<SubscriptionSession>;
    unsubscribeAll(): Promise<void>;
    nuke(): Promise<void>;
    shutdown(): Promise<void>;
  }

  // CommonJS: `module.exports = { BrokerAsPromised, withDefaultConfig, ... }`.
  const rascal: {
    BrokerAsPromised: { create(config: unknown): Promise<RascalBroker> };
    withDefaultConfig(config: unknown): unknown;
  };
  export default rascal;
}
