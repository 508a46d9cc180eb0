/**
 * A BridgeBackend that records calls and answers with what the test gives it: the hosts' unit tests use it
 * in place of the ConsoleService (the integration tests use the real one).
 */
import type { ArgOf, Channel, EventName, Events, ResultOf } from '../../src-shared/bridge.js';
import type { BridgeBackend } from '../../src-main/core/backend.js';

type Responder = (channel: Channel, arg: unknown) => unknown;
type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export class FakeBackend implements BridgeBackend {
  readonly calls: { channel: Channel; arg: unknown }[] = [];
  readonly listeners = new Set<EventListener>();
  closed = 0;

  constructor(private readonly respond: Responder = () => null) {}

  async invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>> {
    this.calls.push({ channel, arg });
    return (await this.respond(channel, arg)) as ResultOf<C>;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners) listener(event, payload);
  }

  async close(): Promise<void> {
    this.closed++;
  }
}
