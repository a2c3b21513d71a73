import type { FieldTable } from '../../protocol/field-table.js';
import type { BindingInfo, RoutingTable } from './exchange-type.js';
import { BindingIndex } from './routing-table.js';
import { TopicTrie, TrieBinding } from './topic-trie.js';

/** topic: binding keys are patterns of '.'-separated words where '*' is one word and '#' zero or more. */
export class TopicRoutingTable<D> implements RoutingTable<D> {
  private readonly index = new BindingIndex<D, TrieBinding<D>>();
  private readonly trie = new TopicTrie<D>();

  get size(): number {
    return this.index.size;
  }

  /** Trie nodes besides the root: 0 once every binding is gone (tests check that unbinding prunes). */
  get nodeCount(): number {
    return this.trie.nodeCount;
  }

  /** RabbitMQ accepts any binding key on a topic exchange; a key that is no pattern is a literal one. */
  validateBinding(_routingKey: string, _args: FieldTable): void {}

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    if (this.index.find(destination, routingKey, args) !== undefined) return false;
    const entry = new TrieBinding(destination, routingKey, args);
    this.index.add(entry);
    this.trie.insert(entry);
    return true;
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    const entry = this.index.find(destination, routingKey, args);
    if (entry === undefined) return false;
    this.index.remove(entry);
    this.trie.remove(entry);
    return true;
  }

  unbindAll(destination: D): number {
    const removed = this.index.removeAll(destination);
    for (const e of removed) this.trie.remove(e);
    return removed.length;
  }

  route(routingKey: string, _headers: FieldTable | undefined, out: D[]): void {
    this.trie.match(routingKey, out);
  }

  bindings(): Iterable<BindingInfo<D>> {
    return this.index.snapshot();
  }

  hasBindingsTo(destination: D): boolean {
    return this.index.has(destination);
  }
}
