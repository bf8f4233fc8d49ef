// metrics --watch in a real terminal (tmux): it draws, redraws as runs happen on --local, and
// gives the terminal back on Ctrl-C.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, realpathSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {cli, RUN} from '../helpers/cli.js'

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'])
    return true
  } catch {
    return false
  }
}

const tmux = (...args: string[]) => execFileSync('tmux', args, {encoding: 'utf8'})

async function waitFor(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => {
      setTimeout(resolve, 200)
    })
  }
}

describe('metrics --watch in a terminal', function () {
  this.timeout(90_000)
  const session = `metrics-watch-${process.pid}`
  let dataDir: string
  let project: string

  before(function () {
    if (!hasTmux()) this.skip()
    dataDir = mkdtempSync(path.join(tmpdir(), 'watch-data-'))
    project = realpathSync(mkdtempSync(path.join(tmpdir(), 'watch-project-')))
  })

  after(() => {
    try {
      tmux('kill-session', '-t', session)
    } catch {}
  })

  it('redraws as runs start and end, and restores the terminal on Ctrl-C', async () => {
    const env = {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}}
    expect((await cli(['triggers:create', '--local', '--name', 'boom', '--command', 'sleep 1; exit 3', '--schedule', '@daily'], env)).code).to.equal(0)
    // bash waits out Ctrl-C for its child and writes down how it ended (tmux's own pane status can lag the exit)
    const status = path.join(project, 'exit-status')
    const command = `NO_COLOR=1 HEROKU_TRIGGERS_DATA_DIR=${dataDir} ${process.execPath} ${RUN} metrics --local --resolution 1m --plot throughput --watch; echo $? > ${status}`
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '40', '-c', project, 'bash', '-c', command)
    tmux('set-option', '-t', session, 'remain-on-exit', 'on')
    const screen = () => tmux('capture-pane', '-p', '-t', session)
    const failedCount = () => /^failed\s.*?(\d+)$/m.exec(screen())?.[1]
    // one frame is one write, but a terminal may show it half drawn: wait for the row itself
    await waitFor('the first drawing', () => screen().includes('Throughput') && failedCount() !== undefined)
    expect(failedCount()).to.equal('0')
    expect(tmux('display-message', '-p', '-t', session, '#{alternate_on}').trim()).to.equal('1')

    // a run happens while it watches: it shows without a keypress
    expect((await cli(['triggers:run', 'boom', '--local', '--tail'], env)).code).to.equal(3)
    await waitFor('the failed run to be drawn', () => failedCount() === '1')
    expect(screen()).to.match(/local: 1 runs, 0\.0% succeeded/)

    tmux('send-keys', '-t', session, 'C-c')
    const pane = (format: string) => tmux('display-message', '-p', '-t', session, format).trim()
    await waitFor('the command to exit', () => existsSync(status) || pane('#{pane_dead}') === '1')
    expect(existsSync(status), 'killed by Ctrl-C instead of ending on it').to.equal(true)
    expect(readFileSync(status, 'utf8').trim()).to.equal('0')
    await waitFor('the terminal to leave the alternate screen', () => pane('#{alternate_on}') === '0')
    expect(screen()).not.to.contain('Throughput') // the charts went with the alternate screen
  })
})
