// Every bad input the plugin is checked against: one source for test/commands/bad-input.test.ts,
// which runs each case, and for the README's "Bad input" table, which the test writes and checks.
//
// Each case runs in the test's project folder (the cwd), where FILES below are written. On --local it
// finds the trigger "existing" and the monitor "watch"; on the emulator the apps of APPS below.

/** the apps on the Platform API emulator; `seeded` ones hold "existing" and "watch" in HEROKU_TRIGGERS */
export const APPS = {
  /** the config-var store, seeded */
  'example-app': {seeded: true},
  /** other config vars leave too little room under Heroku's 32 kB for one more trigger */
  'full-app': {filler: 32 * 1024 - 700, seeded: true},
  /** HEROKU_TRIGGERS holds half a JSON document */
  'corrupt-app': {configVars: {HEROKU_TRIGGERS: '{"schemaVersion": 1, "triggers": ['}},
  /** the Postgres store, in a database nothing listens for */
  'db-app': {configVars: {DATABASE_URL: 'postgres://u:p@127.0.0.1:1/app', HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}},
  /** the Postgres store, named by a config var the app does not have */
  'no-db-app': {configVars: {HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}},
} as const

/** the local store's key is the project folder's: <data dir>/local/<key>/definitions.json */
export const DATA_DIRS = {
  /** half a JSON document */
  'corrupt-data': '{"schemaVersion": 1, "triggers": [',
  /** a folder where the definitions file should be (root reads any file, whatever its mode) */
  'folder-data': null,
  /** written by a newer version */
  'newer-data': '{"schemaVersion": 99, "triggers": [], "monitors": []}\n',
} as const

/** files in the project folder */
export const FILES: Record<string, string> = {
  'a-file': 'a regular file, where a data directory is asked for\n',
  'bad-cron.yml': 'version: 1\ntriggers:\n  nightly:\n    command: bin/report\n    schedule: "61 * * * *"\n',
  'broken.yml': 'version: 1\ntriggers: [\n',
  'empty.yml': 'version: 1\ntriggers: {}\n',
  'not-json.txt': 'No triggers on example-app.\n',
  'v2.yml': 'version: 2\n',
}

export interface BadInput {
  /** what the user types after `heroku` */
  argv: string[]
  /** environment for this case only; a value naming a folder is relative to the project folder */
  env?: Record<string, string>
  /** what is wrong, in a few words */
  wrong: string
  /** the documented exit code (README "Exit codes") */
  code: number
  /** the one line says what is wrong and how to write it right */
  message: RegExp
}

const create = ['triggers:create', '--local', '--name', 'new one', '--command', 'bin/task']
const daily = [...create, '--schedule', '@daily']
const update = ['triggers:update', 'existing', '--local']
const monitor = ['monitors:create', '--local', '--name', 'new alarm', '--trigger', 'existing']
const onApp = (app: string, ...argv: string[]) => [...argv, '--app', app]
const noDatabase = {HEROKU_TRIGGERS_DATABASE_URL: 'postgres://u:p@127.0.0.1:1/triggers'}

export const CASES: BadInput[] = [
  // triggers:create: every flag's wrong type and range
  {argv: [...create, '--schedule', '61 * * * *'], code: 2, message: /--schedule "61 \* \* \* \*": minute "61" is out of range 0-59/, wrong: 'a cron minute past 59'},
  {argv: [...create, '--schedule', '* * *'], code: 2, message: /3 fields, expected 5 .* or 6 with seconds first/, wrong: 'a cron of 3 fields'},
  {argv: [...create, '--schedule', 'every 7 minutes'], code: 2, message: /7 minutes does not divide an hour evenly: use one of 1, 2, 3/, wrong: 'an interval that does not divide the hour'},
  {argv: [...daily, '--timezone', 'Mars/Olympus'], code: 2, message: /unknown --timezone "Mars\/Olympus": use an IANA name such as UTC/, wrong: 'an unknown timezone'},
  {argv: [...create, '--at', 'tomorrow'], code: 2, message: /invalid --at "tomorrow": give a date and time as YYYY-MM-DD HH:MM/, wrong: '--at not a date'},
  {argv: [...create, '--at', '2099-02-30 10:00'], code: 2, message: /2099-02 has no day 30/, wrong: '--at a day the month lacks'},
  {argv: [...create, '--at', '2001-01-01 00:00'], code: 2, message: /--at .*past/, wrong: '--at in the past'},
  {argv: [...daily, '--at', '2099-01-01 00:00'], code: 2, message: /--schedule=@daily cannot also be provided when using --at/, wrong: '--schedule with --at'},
  {argv: [...create], code: 2, message: /missing --schedule or --at: give a cron schedule such as --schedule "0 9 \* \* 1-5"/, wrong: 'neither --schedule nor --at'},
  {argv: ['triggers:create', '--local', '--name', 'new one', '--schedule', '@daily'], code: 2, message: /missing --command: give the command to run, e.g. --command "bin\/report"/, wrong: 'no --command'},
  {argv: ['triggers:create', '--local', '--name', '', '--command', 'bin/task', '--schedule', '@daily'], code: 2, message: /invalid --name "": a name is 1-150 characters on one line/, wrong: 'an empty name'},
  {argv: ['triggers:create', '--local', '--name', 'n'.repeat(151), '--command', 'bin/task', '--schedule', '@daily'], code: 2, message: /a name is 1-150 characters on one line/, wrong: 'a name of 151 characters'},
  {argv: ['triggers:create', '--local', '--name', 'new one', '--command', '', '--schedule', '@daily'], code: 2, message: /empty --command: give the command to run/, wrong: 'an empty command'},
  {argv: ['triggers:create', '--local', '--name', 'Existing', '--command', 'bin/task', '--schedule', '@daily'], code: 4, message: /a trigger named "existing" already exists .*choose another --name/, wrong: 'a name already taken (any case)'},
  {argv: [...daily, '--timeout', 'abc'], code: 2, message: /--timeout: Expected an integer but received: abc/, wrong: '--timeout not a number'},
  {argv: [...daily, '--timeout', '0'], code: 2, message: /--timeout must be 1\.\.86400 seconds, got 0/, wrong: '--timeout 0'},
  {argv: [...daily, '--timeout', '90000'], code: 2, message: /--timeout must be 1\.\.86400 seconds, got 90000/, wrong: '--timeout over a day'},
  {argv: [...daily, '--retries', '11'], code: 2, message: /--retries must be 0\.\.10, got 11/, wrong: '--retries over 10'},
  {argv: [...daily, '--retries', 'two'], code: 2, message: /--retries: Expected an integer but received: two/, wrong: '--retries not a number'},
  {argv: [...daily, '--concurrency', 'sometimes'], code: 2, message: /Expected --concurrency=sometimes to be one of: allow, forbid, replace/, wrong: 'an unknown --concurrency'},
  {argv: [...daily, '--maintenance', 'maybe'], code: 2, message: /Expected --maintenance=maybe to be one of: run, skip/, wrong: 'an unknown --maintenance'},
  {argv: [...daily, '--jitter', 'soon'], code: 2, message: /--jitter "soon": give seconds or a duration such as 30s/, wrong: '--jitter not a duration'},
  {argv: [...daily, '--jitter', '48h'], code: 2, message: /--jitter must be between 0 and 86400 seconds, got 172800/, wrong: '--jitter over a day'},
  {argv: [...daily, '--catch-up', 'later'], code: 2, message: /invalid --catch-up "later": give seconds or a duration such as 30s, 15m or 1h/, wrong: '--catch-up not a duration'},
  {argv: [...daily, '--env', 'NOEQUALS'], code: 2, message: /invalid --env "NOEQUALS": write KEY=value/, wrong: '--env without =value'},
  {argv: [...daily, '--bogus'], code: 2, message: /Nonexistent flag: --bogus/, wrong: 'an unknown flag'},
  {argv: [...daily, 'extra'], code: 2, message: /Unexpected argument: extra/, wrong: 'an argument create does not take'},
  {argv: ['triggers:create', '--name', 'new one', '--command', 'bin/task', '--schedule', '@daily'], code: 2, message: /missing --app: name the Heroku app with --app example-app .*or use --local/, wrong: 'neither --app nor --local'},

  // triggers:update and the other trigger commands
  {argv: ['triggers:update', 'nope', '--local', '--timeout', '60'], code: 3, message: /no trigger "nope": name a trigger by its id, a unique id prefix/, wrong: 'an unknown trigger'},
  {argv: [...update, '--schedule', '0 0 * * 9'], code: 2, message: /day-of-week "9" is out of range 0-7/, wrong: 'a cron day of week past 7'},
  {argv: [...update, '--timeout', '86401'], code: 2, message: /--timeout must be 1\.\.86400 seconds, got 86401/, wrong: '--timeout over a day'},
  {argv: [...update, '--name', ''], code: 2, message: /invalid --name "": a name is 1-150 characters/, wrong: 'an empty name'},
  {argv: ['triggers:info', 'nope', '--local'], code: 3, message: /no trigger "nope".*list them with heroku triggers/, wrong: 'an unknown trigger'},
  {argv: ['triggers:info', '--local'], code: 2, message: /Missing 1 required arg: trigger/, wrong: 'no trigger named'},
  {argv: ['triggers:activate', 'nope', '--local'], code: 3, message: /no trigger "nope"/, wrong: 'an unknown trigger'},
  {argv: ['triggers:deactivate', 'nope', '--local', '--note', 'moving'], code: 3, message: /no trigger "nope"/, wrong: 'an unknown trigger'},
  {argv: ['triggers:run', 'nope', '--local'], code: 3, message: /no trigger "nope"/, wrong: 'an unknown trigger'},
  {argv: ['triggers:delete', 'existing', '--local'], code: 5, message: /deleting trigger existing from local cannot be undone: pass --confirm local/, wrong: 'no terminal and no --confirm'},
  {argv: ['triggers:delete', 'existing', '--local', '--confirm', 'example-app'], code: 2, message: /--confirm example-app does not match the app: pass --confirm local/, wrong: '--confirm naming another app'},
  {argv: ['triggers:clock', '--local', '--retention', '30m'], code: 2, message: /--retention must be between 3600 and 31622400 seconds, got 1800/, wrong: '--retention under an hour'},

  // schedules as code
  {argv: ['triggers:export', '--local', '--format', 'xml'], code: 2, message: /Expected --format=xml to be one of: yaml, json/, wrong: 'an unknown --format'},
  {argv: ['triggers:export', '--local', '--file', 'no-such-folder/triggers.yml'], code: 2, message: /cannot write .*no-such-folder\/triggers\.yml.*give a --file in a folder that exists/, wrong: '--file in a missing folder'},
  {argv: ['triggers:apply', 'missing.yml', '--local'], code: 2, message: /cannot read .*missing\.yml: no such file; give the path of a schedule file/, wrong: 'a file that does not exist'},
  {argv: ['triggers:apply', 'broken.yml', '--local'], code: 2, message: /broken\.yml:\d+: not valid YAML or JSON .*fix the syntax/, wrong: 'a file that is not YAML'},
  {argv: ['triggers:apply', 'v2.yml', '--local'], code: 2, message: /v2\.yml:1: version 2 is not one this plugin reads: write version: 1/, wrong: 'a newer file version'},
  {argv: ['triggers:apply', 'bad-cron.yml', '--local'], code: 2, message: /bad-cron\.yml:3: trigger "nightly".*minute "61" is out of range 0-59/, wrong: 'a bad cron, named by its line'},
  {argv: ['triggers:apply', 'empty.yml', '--local', '--prune'], code: 5, message: /--prune deletes 1 trigger from local \(existing\).*cannot be undone: pass --confirm local/, wrong: '--prune with no terminal and no --confirm'},
  {argv: ['triggers:import', '--local'], code: 2, message: /--local has no Heroku Scheduler: import an Advanced Scheduler file with --from FILE, or give --app/, wrong: 'Heroku Scheduler on --local'},
  {argv: ['triggers:import', '--local', '--from', 'not-json.txt'], code: 2, message: /not-json\.txt is not JSON: give the output of Advanced Scheduler's heroku triggers --app APP --json/, wrong: '--from a file that is not JSON'},
  {argv: ['triggers:store', '--local', '--to', 'mongodb'], code: 2, message: /Expected --to=mongodb to be one of: config-var, file, postgres/, wrong: 'an unknown store'},
  {argv: ['triggers:store', '--local', '--to', 'config-var'], code: 2, message: /--local keeps everything on this machine .*use --app APP/, wrong: 'a config var on --local'},

  // runs, metrics, alerts
  {argv: ['runs', '--local', '--since', 'yesterdayish'], code: 2, message: /invalid --since "yesterdayish": give a duration such as 2h or 7d, or a date/, wrong: '--since not a time'},
  {argv: ['runs', '--local', '--limit', '0'], code: 2, message: /--limit: Expected an integer greater than or equal to 1 but received: 0/, wrong: '--limit 0'},
  {argv: ['runs', '--local', '--filter', 'colour:red'], code: 2, message: /unknown attribute "colour"; valid attributes are command, state, name, size, trigger/, wrong: 'a filter on an unknown attribute'},
  {argv: ['runs', '--local', '--filter', 'command:"bin/report'], code: 2, message: /a double quote is not closed; close it, as in command:"python x.py"/, wrong: 'a filter with an open quote'},
  {argv: ['runs:info', 'nope', '--local'], code: 3, message: /no run "nope" in the history: name a run by its id or its dyno/, wrong: 'an unknown run'},
  {argv: ['metrics', '--local', '--resolution', '5m'], code: 2, message: /invalid --resolution "5m": use one of 1m, 10m, 30m, 1h/, wrong: 'an unknown resolution'},
  {argv: ['metrics', '--local', '--until', 'soon'], code: 2, message: /invalid --until "soon"/, wrong: '--until not a time'},
  {argv: ['metrics', '--local', '--since', '2h', '--until', '3h'], code: 2, message: /--since must be before --until: e\.g\. --since 48h --until 24h/, wrong: '--since after --until'},
  {argv: ['metrics', '--local', '--plot', 'pie'], code: 2, message: /--plot.*pie/, wrong: 'an unknown plot'},
  {argv: ['metrics', '--local', '--trigger', 'nope'], code: 3, message: /no trigger "nope"/, wrong: 'an unknown trigger'},
  {argv: ['metrics', '--local', '--watch'], code: 2, message: /--watch needs a terminal: run it in one, or use --json for scripts/, wrong: '--watch with no terminal'},
  {argv: ['alerts', '--local', '--since', 'xyz'], code: 2, message: /invalid --since "xyz"/, wrong: '--since not a time'},
  {argv: ['alerts', '--local', '--monitor', 'nope'], code: 3, message: /no monitor "nope": heroku monitors lists them/, wrong: 'an unknown monitor'},

  // monitors
  {argv: [...monitor, '--type', 'job-success'], code: 2, message: /unknown --type "job-success": use one of job-failure, job-interruption/, wrong: 'an unknown type'},
  {argv: ['monitors:create', '--local', '--name', 'new alarm'], code: 2, message: /missing --type: one of job-failure/, wrong: 'no --type'},
  {argv: ['monitors:create', '--local', '--name', 'watch', '--type', 'job-failure'], code: 4, message: /a monitor named "watch" already exists: choose another --name/, wrong: 'a name already taken'},
  {argv: [...monitor, '--type', 'job-failure', '--sensitivity', '0'], code: 2, message: /--sensitivity must be 1\.\.100, got 0/, wrong: '--sensitivity 0'},
  {argv: [...monitor, '--type', 'job-execution-time'], code: 2, message: /a job-execution-time monitor needs --threshold \(1\.\.86400 seconds\)/, wrong: 'execution time with no --threshold'},
  {argv: [...monitor, '--type', 'job-execution-time', '--threshold', '0'], code: 2, message: /--threshold must be 1\.\.86400 seconds for job-execution-time, got 0/, wrong: '--threshold 0'},
  {argv: [...monitor, '--type', 'job-execution-time', '--threshold', '10m'], code: 2, message: /--threshold: Expected an integer but received: 10m/, wrong: '--threshold not a number'},
  {argv: [...monitor, '--type', 'job-concurrency', '--threshold', '10001'], code: 2, message: /--threshold must be 1\.\.10000 dynos for job-concurrency, got 10001/, wrong: 'a concurrency over 10000'},
  {argv: [...monitor, '--type', 'memory', '--threshold', '101'], code: 2, message: /--threshold must be 1\.\.100 % of the memory quota for memory, got 101/, wrong: 'a memory % over 100'},
  {argv: ['monitors:create', '--local', '--name', 'new alarm', '--type', 'missed-run'], code: 2, message: /a missed-run monitor needs --trigger: name the trigger it watches/, wrong: 'missed-run with no --trigger'},
  {argv: [...monitor, '--type', 'missed-run', '--grace', '25h'], code: 2, message: /--grace must be between 1 and 86400 seconds, got 90000/, wrong: '--grace over a day'},
  {argv: [...monitor, '--type', 'missed-run', '--grace', 'soon'], code: 2, message: /invalid --grace "soon": give seconds or a duration/, wrong: '--grace not a duration'},
  {argv: [...monitor, '--type', 'job-failure', '--renotify', 'often'], code: 2, message: /invalid --renotify "often"/, wrong: '--renotify not a duration'},
  {argv: [...monitor, '--type', 'job-failure', '--email', 'ops-at-example.com'], code: 2, message: /--email takes addresses separated by commas \(a@example\.com,b@example\.com\) or none/, wrong: '--email not an address'},
  {argv: [...monitor, '--type', 'job-failure', '--webhook', 'hooks.example.com'], code: 2, message: /--webhook must be an http\(s\) URL, got "hooks\.example\.com"/, wrong: '--webhook not a URL'},
  {argv: ['monitors:create', '--local', '--name', 'new alarm', '--type', 'job-failure', '--trigger', 'nope'], code: 3, message: /no trigger "nope"/, wrong: 'an unknown trigger'},
  {argv: [...monitor, '--type', 'job-failure', '--filter', 'state:failed'], code: 2, message: /--(trigger|filter).*cannot also be provided when using --(trigger|filter)/, wrong: '--trigger with --filter'},
  {argv: ['monitors:update', 'nope', '--local', '--sensitivity', '2'], code: 3, message: /no monitor "nope"/, wrong: 'an unknown monitor'},
  {argv: ['monitors:delete', 'watch', '--local'], code: 5, message: /deleting monitor watch from local cannot be undone: pass --confirm local/, wrong: 'no terminal and no --confirm'},
  {argv: ['monitors:pause', 'nope', '--local'], code: 3, message: /no monitor "nope"/, wrong: 'an unknown monitor'},
  {argv: ['monitors:resume', 'nope', '--local'], code: 3, message: /no monitor "nope"/, wrong: 'an unknown monitor'},
  {argv: ['monitors:test', 'nope', '--local'], code: 3, message: /no monitor "nope"/, wrong: 'an unknown monitor'},

  // a store that cannot be used: nothing is written
  {argv: ['triggers', '--local'], code: 8, env: {HEROKU_TRIGGERS_DATA_DIR: 'corrupt-data'}, message: /definitions\.json is not valid JSON .*it was left as it was; fix it or move it away, then retry/, wrong: 'a corrupt definitions file'},
  {argv: [...daily], code: 8, env: {HEROKU_TRIGGERS_DATA_DIR: 'corrupt-data'}, message: /definitions\.json is not valid JSON/, wrong: 'a corrupt definitions file'},
  {argv: [...daily], code: 8, env: {HEROKU_TRIGGERS_DATA_DIR: 'folder-data'}, message: /cannot read .*definitions\.json \(EISDIR/, wrong: 'a definitions file that cannot be read (a folder)'},
  {argv: ['runs', '--local'], code: 8, env: {HEROKU_TRIGGERS_DATA_DIR: 'newer-data'}, message: /has schema version 99, newer than this plugin understands \(1\): upgrade heroku-triggers/, wrong: 'a store from a newer version'},
  {argv: [...daily], code: 8, env: {HEROKU_TRIGGERS_DATA_DIR: 'a-file/data'}, message: /cannot write in .*a-file\/data\/local\/.* \(ENOTDIR: not a directory\): nothing was written; make it a folder you can write to, or point HEROKU_TRIGGERS_DATA_DIR at one/, wrong: 'a data directory that cannot be written (under a file)'},
  {argv: [...daily], code: 8, env: noDatabase, message: /cannot reach the Postgres store/, wrong: 'a database that cannot be reached'},
  {argv: ['triggers', '--local'], code: 8, env: {HEROKU_TRIGGERS_DATABASE_URL: 'localhost:5432'}, message: /HEROKU_TRIGGERS_DATABASE_URL is a localhost URL, not a Postgres one \(postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE\)/, wrong: 'a database URL that is not one'},

  // a Heroku app (the Platform API emulator)
  {argv: onApp('example-app', 'triggers:create', '--name', 'new one', '--command', 'bin/task', '--schedule', '@daily'), code: 6, env: {HEROKU_API_KEY: 'not-the-key'}, message: /rejected the API key \(401\): run heroku login/, wrong: 'a wrong API key'},
  {argv: onApp('no-such-app', 'triggers'), code: 7, message: /app no-such-app not found, or you have no access to it: check the name with heroku apps/, wrong: 'an unknown app'},
  {argv: onApp('no-such-app', 'monitors'), code: 7, message: /app no-such-app not found, or you have no access to it: check the name with heroku apps/, wrong: 'an unknown app'},
  {argv: ['triggers', '--remote', 'nope'], code: 2, message: /remote nope not found/, wrong: 'a git remote that does not exist'},
  {argv: onApp('example-app', 'triggers:create', '--name', 'new one', '--command', 'bin/task', '--schedule', '@daily', '--size', 'huge'), code: 2, message: /--size "?huge"?.*basic|standard-1x/i, wrong: 'a dyno size the app does not have'},
  {argv: onApp('example-app', 'runs:info', 'nope'), code: 3, message: /no run "nope"/, wrong: 'an unknown run'},
  {argv: onApp('example-app', 'triggers:delete', 'existing'), code: 5, message: /pass --confirm example-app/, wrong: 'no terminal and no --confirm'},
  {argv: onApp('example-app', 'triggers:store', '--to', 'file'), code: 5, message: /--confirm example-app/, wrong: 'a store move with no terminal and no --confirm'},
  {argv: onApp('full-app', 'triggers:create', '--name', 'big', '--command', `bin/task ${'--flag '.repeat(80)}`, '--schedule', '@daily', '--json'), code: 4, message: /would bring full-app's config vars to 3\d\.\d kB, over Heroku's 32 kB limit: delete some triggers, or move them .*heroku triggers:store --to file/, wrong: 'a config var store past 32 kB'},
  {argv: onApp('corrupt-app', 'triggers'), code: 8, message: /config var HEROKU_TRIGGERS on corrupt-app is not valid JSON .*left as it was/, wrong: 'a corrupt HEROKU_TRIGGERS config var'},
  {argv: onApp('db-app', 'triggers'), code: 8, message: /cannot reach the Postgres store \(DATABASE_URL on db-app/, wrong: 'the app\'s database cannot be reached'},
  {argv: onApp('no-db-app', 'triggers'), code: 8, message: /HEROKU_TRIGGERS_DATABASE on no-db-app names DATABASE_URL, which no-db-app does not have: attach a database/, wrong: 'HEROKU_TRIGGERS_DATABASE names a missing config var'},
]
