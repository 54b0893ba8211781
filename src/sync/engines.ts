// The relay engines the platform drives, by name (ZOOID_API_URL), each with its management API client and its
// NIP-86 client. A relay's stored placement (`relay.engine`) names the one that serves it; every engine call for
// a relay goes there.
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import type { EngineEndpoint } from '../config.js'
import type { RelayRow } from '../db/schema.js'
import { DomainError } from '../platform/errors.js'
import { EngineClient } from './engine-client.js'
import { RelayManagementClient } from './relay-management.js'

export interface EngineNode {
  name: string
  /** Origin of its management API. */
  url: string
  client: EngineClient
  /** NIP-86 on the relays it serves (their `Host`, its address). */
  management: RelayManagementClient
}

export class Engines {
  readonly list: readonly EngineNode[]
  private readonly byName: Map<string, EngineNode>

  constructor(endpoints: readonly EngineEndpoint[], options: { sign: (t: EventTemplate) => NostrEvent; timeoutMs: number }) {
    if (endpoints.length === 0) throw new Error('at least one engine is needed')
    this.list = endpoints.map(({ name, url }) => ({
      name,
      url,
      client: new EngineClient({ baseUrl: url, sign: options.sign, timeoutMs: options.timeoutMs }),
      management: new RelayManagementClient({ engineUrl: url, sign: options.sign, timeoutMs: options.timeoutMs }),
    }))
    this.byName = new Map(this.list.map((e) => [e.name, e]))
  }

  /** The first configured engine: new deployments' relays and rows written before placement existed. */
  get first(): EngineNode {
    return this.list[0]!
  }

  get names(): string[] {
    return this.list.map((e) => e.name)
  }

  get(name: string): EngineNode | undefined {
    return this.byName.get(name)
  }

  /** The engine that serves this relay. A placement naming an engine no longer configured is a 503. */
  forRelay(relay: Pick<RelayRow, 'engine'>): EngineNode {
    if (relay.engine === null) return this.first
    const engine = this.byName.get(relay.engine)
    if (!engine) throw new DomainError(503, 'engine-not-configured', `this relay is placed on engine "${relay.engine}", which is not configured`)
    return engine
  }
}
