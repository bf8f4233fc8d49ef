// Keep-alive connections for a long-lived process, with a way to open them before a burst of
// requests: 200 triggers due in one second should not each wait for a TCP (and TLS) handshake.
import type {Socket} from 'node:net'

import http from 'node:http'
import https from 'node:https'

type ConnectionOptions = Parameters<http.Agent['createConnection']>[0]
type OnCreate = Parameters<http.Agent['createConnection']>[1]

/** how long an idle connection is trusted to stay open: servers often close them after 5 s (Node's default) */
const STALE_MS = 4000

/** which pool a connection belongs to (host, port, TLS options), as the agent keys them */
const poolOf = (options: ConnectionOptions): string | undefined => (options as {_agentKey?: string})._agentKey

function sockets(table: NodeJS.ReadOnlyDict<Socket[]>): Socket[] {
  return Object.values(table).flatMap(list => list ?? [])
}

export interface WarmAgent extends http.Agent {
  /**
   * Opens connections so that `wanted` requests can start at once, with the options of the
   * agent's last connection (host, port, TLS name): none before the first request, none beyond
   * maxSockets. Returns how many it opened.
   */
  warm(wanted: number): number
}

// a mixin's base must take `...args: any[]` (TypeScript's rule for mixins)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AgentClass = new (...args: any[]) => http.Agent

function warmable(Base: AgentClass): new (options: http.AgentOptions) => WarmAgent {
  return class extends Base implements WarmAgent {
    private readonly idleSince = new WeakMap<Socket, number>()
    private last?: ConnectionOptions
    private spare: Array<{key: string | undefined; socket: Socket}> = []

    constructor(options: http.AgentOptions) {
      super(options)
      this.on('free', (socket: Socket) => this.idleSince.set(socket, Date.now()))
    }

    createConnection(options: ConnectionOptions, onCreate?: OnCreate): Socket | undefined {
      this.last = options
      const key = poolOf(options)
      while (this.spare.length > 0) {
        const {key: spareKey, socket} = this.spare.pop()!
        if (socket.destroyed || spareKey !== key) {
          socket.destroy()
          continue
        }

        socket.removeAllListeners('error')
        socket.ref()
        return socket
      }

      return super.createConnection(options, onCreate) as Socket | undefined
    }

    destroy(): void {
      for (const {socket} of this.spare.splice(0)) socket.destroy()
      super.destroy()
    }

    warm(wanted: number): number {
      if (!this.last) return 0
      this.spare = this.spare.filter(s => !s.socket.destroyed)
      // an idle connection about to be closed by the server would cost the burst a new one
      const now = Date.now()
      let idle = 0
      for (const socket of sockets(this.freeSockets)) {
        if (now - (this.idleSince.get(socket) ?? now) > STALE_MS) socket.destroy()
        else idle++
      }

      const busy = sockets(this.sockets).length
      const room = this.maxSockets - busy - idle - this.spare.length
      const missing = Math.min(room, wanted - idle - this.spare.length)
      for (let i = 0; i < missing; i++) {
        const socket = super.createConnection(this.last) as Socket
        // a spare socket that fails or is closed is simply not used
        socket.on('error', () => socket.destroy())
        socket.unref()
        this.spare.push({key: poolOf(this.last), socket})
      }

      return Math.max(0, missing)
    }
  }
}

const WarmHttpAgent = warmable(http.Agent)
const WarmHttpsAgent = warmable(https.Agent)

export function warmAgent(secure: boolean, maxSockets: number): WarmAgent {
  return secure ? new WarmHttpsAgent({keepAlive: true, maxSockets}) : new WarmHttpAgent({keepAlive: true, maxSockets})
}
