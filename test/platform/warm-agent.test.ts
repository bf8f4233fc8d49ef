// Connections opened ahead of a burst, against a real HTTP server on loopback.
import {expect} from 'chai'
import http from 'node:http'
import {type AddressInfo} from 'node:net'

import {warmAgent} from '../../src/platform/warm-agent.js'

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

describe('connections opened ahead of a burst (warm agent)', () => {
  let server: http.Server
  let port: number
  let connections: number

  beforeEach(async () => {
    connections = 0
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => res.end('ok'))
    })
    server.on('connection', () => connections++)
    await new Promise<void>(resolve => {
      server.listen(0, '127.0.0.1', resolve)
    })
    port = (server.address() as AddressInfo).port
  })

  afterEach(async () => {
    server.closeAllConnections()
    await new Promise(resolve => {
      server.close(resolve)
    })
  })

  const get = (agent: http.Agent) => new Promise<string>((resolve, reject) => {
    http.get({agent, host: '127.0.0.1', path: '/', port}, res => {
      let body = ''
      res.on('data', chunk => {
        body += chunk
      })
      res.on('end', () => resolve(body))
    }).on('error', reject)
  })

  it('opens the connections a burst needs before it, and the burst opens none', async () => {
    const agent = warmAgent(false, 64)
    try {
      expect(agent.warm(10), 'no host known before the first request').to.equal(0)
      await get(agent)
      expect(connections).to.equal(1)
      expect(agent.warm(10), 'one idle connection is already there').to.equal(9)
      await sleep(100)
      expect(connections).to.equal(10)
      const bodies = await Promise.all(Array.from({length: 10}, () => get(agent)))
      expect(bodies).to.deep.equal(Array.from({length: 10}, () => 'ok'))
      expect(connections, 'the burst used the connections opened ahead').to.equal(10)
      expect(agent.warm(10), 'all ten are idle again').to.equal(0)
    } finally {
      agent.destroy()
    }
  })

  it('never opens more than maxSockets', async () => {
    const agent = warmAgent(false, 4)
    try {
      await get(agent)
      expect(agent.warm(100)).to.equal(3)
      await sleep(100)
      expect(connections).to.equal(4)
    } finally {
      agent.destroy()
    }
  })

  it('a connection the server closed meanwhile is not used: the request gets a new one', async () => {
    const agent = warmAgent(false, 8)
    try {
      await get(agent)
      agent.warm(3)
      await sleep(100)
      server.closeIdleConnections()
      await sleep(100)
      expect(await get(agent)).to.equal('ok')
    } finally {
      agent.destroy()
    }
  })
})
