// A loopback TCP proxy in front of a server, whose connections a test can cut at once: a database
// restart or a network blip, as a client sees it.
import net from 'node:net'

export interface TcpProxy {
  port: number
  /** destroys every open connection (new ones still go through) */
  cut(): number
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>()
  const server = net.createServer(client => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }

    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return {
    async close() {
      for (const s of open) s.destroy()
      await new Promise(resolve => {
        server.close(resolve)
      })
    },
    cut() {
      const n = open.size
      for (const s of open) s.destroy()
      return n
    },
    port: (server.address() as net.AddressInfo).port,
  }
}
