// What to do about a run that did not succeed (scheduler-monitor.txt, Troubleshooting).
import type {Run} from './runs.js'

export function adviceFor(run: Pick<Run, 'command' | 'exitStatus' | 'memoryErrors' | 'reason' | 'state' | 'timeToLive'>): string[] {
  const advice: string[] = []
  const reason = run.reason ?? ''
  if (run.state === 'succeeded') return advice
  if (run.exitStatus === 127) {
    advice.push(`Exit status 127: the shell did not find the command. Was it pushed, and is it on the PATH of the slug? Try heroku run ${JSON.stringify(run.command ?? '')} to reproduce.`)
  }

  if (run.exitStatus === 126) advice.push('Exit status 126: the command was found but is not executable. Check its mode (chmod +x) and its shebang line.')
  if (run.memoryErrors.includes('R15') || /R15/.test(reason)) {
    advice.push('R15: the run used far more memory than its dyno has and was killed. Use a bigger --size, or make the task use less memory (stream instead of loading everything).')
  } else if (run.memoryErrors.includes('R14')) {
    advice.push('R14: the run went over its memory quota and swapped, which slows it down. Use a bigger --size, or make the task use less memory.')
  }

  if (run.state === 'interrupted' && /timeout|time.to.live/i.test(reason)) {
    advice.push(`Stopped by its timeout (${run.timeToLive ?? '?'} s). Raise it with triggers:update --timeout, or make the task finish (and exit) sooner.`)
  }

  if (run.state === 'interrupted' && /cycling|restart/i.test(reason)) {
    advice.push('Stopped by the daily dyno restart (cycling), which also hits one-off dynos after about 24 hours. Split long work into shorter runs.')
  }

  if (run.exitStatus === 137 && run.state === 'interrupted' && !run.memoryErrors.includes('R15')) {
    advice.push('Killed with SIGKILL after not exiting within 30 seconds of SIGTERM (R12). Handle SIGTERM: stop work, clean up and exit promptly.')
  }

  if (run.state === 'failed-to-start') {
    advice.push(/limit|422/i.test(reason)
      ? 'The dyno was refused: the app is at its limit of concurrent one-off dynos. Lower --max-dynos, spread schedules, or ask Heroku to raise the limit.'
      : 'The dyno could not be created or did not launch (there is no exit status). Check heroku status and heroku ps; with --retries the clock tries again 10 s after, doubling each time, until the next run is due (runs:info shows the next attempt).')
  }

  if (run.state === 'unknown') {
    advice.push('The exit line never arrived in the log (Heroku drops lines sometimes). Look at the app log around the run, or have the task report its own outcome.')
  }

  if (run.state === 'failed' && advice.length === 0) {
    advice.push(`The task exited with status ${run.exitStatus}. Its own output is above; reproduce it with heroku run ${JSON.stringify(run.command ?? '')}.`)
  }

  if (run.state === 'skipped' && /previous run/.test(reason)) advice.push('Skipped because the previous run was still going (--concurrency forbid). Use --concurrency allow or replace, or give the task more time between runs.')
  if (run.state === 'missed') advice.push('No clock was running at that time (or it was too late to catch up). Keep a clock running: heroku triggers:clock, a clock dyno, or a CI cron with --once.')
  return advice
}
