// The fire-lag baseline (issue 13): a bare keep-alive client, its own process as the clock is,
// sending the same 200 dyno creates to the same emulator at the due second. Its connections are
// opened beforehand, as the clock opens its own ahead of a burst. Usage: URL API_KEY APP DUE_MS COUNT
import http from 'node:http'

const [url, apiKey, app, dueText, countText] = process.argv.slice(2)
const due = Number(dueText)
const count = Number(countText)
const agent = new http.Agent({keepAlive: true, maxSockets: count})
const headers = {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json'}

function request(method: string, path: string, body?: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), {agent, headers, method}, res => {
      res.resume()
      res.on('end', () => resolve())
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

// open the connections: as many requests at once as the burst will send
await Promise.all(Array.from({length: count}, () => request('GET', `/apps/${encodeURIComponent(app)}`)))
await new Promise(resolve => {
  setTimeout(resolve, Math.max(0, due - Date.now()))
})
await Promise.all(Array.from({length: count}, (_, i) => request('POST', `/apps/${encodeURIComponent(app)}/dynos`, {
  attach: false, command: 'true', env: {HEROKU_TRIGGER_ID: `bare-${i}`, HEROKU_TRIGGER_NOMINAL_AT: new Date(due).toISOString()}, time_to_live: 1800, type: `bare-${i}`,
})))
agent.destroy()
