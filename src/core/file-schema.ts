/* eslint-disable no-template-curly-in-string -- ${NAME} is the schedule file's own syntax for a value from the environment */
// The JSON Schema of the schedule file (triggers:export --schema), so editors complete and check
// it. It states the same rules as the checks in schedule-file.ts and trigger.ts; apply still runs
// those checks, which also know what the schema cannot (cron fields, timezones, dates).
import {DEFAULT_GRACE_S, MONITOR_TYPES} from './monitors.js'
import {LIMITS} from './trigger.js'

const duration = (description: string, max: number) => ({
  description,
  oneOf: [
    {maximum: max, minimum: 0, type: 'integer'},
    {pattern: String.raw`^\s*\d+\s*[dhmsDHMS]?\s*$`, type: 'string'},
  ],
})

export const SCHEDULE_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  additionalProperties: false,
  definitions: {
    monitor: {
      additionalProperties: false,
      properties: {
        email: {
          description: 'who gets email: a list of addresses, or none (default the app\'s owner and collaborators)',
          oneOf: [{const: 'none'}, {items: {pattern: String.raw`^[^\s@,]+@[^\s@,]+\.[^\s@,]+$`, type: 'string'}, minItems: 1, type: 'array'}],
        },
        filter: {description: 'watch the runs this filter matches (the filter language of runs and metrics)', examples: ['command:"python x.py" -size:standard'], type: 'string'},
        grace: duration(`missed-run: how late a start may be: seconds, or 30s, 5m... (default ${DEFAULT_GRACE_S / 60}m)`, 86_400),
        paused: {default: false, description: 'a paused monitor judges nothing and sends nothing', type: 'boolean'},
        renotify: {
          description: 'remind while an alert stays open, every this long (60s..7d)',
          oneOf: [{maximum: 7 * 86_400, minimum: 60, type: 'integer'}, {pattern: String.raw`^\s*\d+\s*[dhmsDHMS]?\s*$`, type: 'string'}],
        },
        secret: {description: 'signs webhooks; write ${NAME} to read it from the environment of triggers:apply', examples: ['${WEBHOOK_SECRET}'], type: 'string'},
        sensitivity: {default: 1, description: 'consecutive matches that open an alert', maximum: 100, minimum: 1, type: 'integer'},
        signed: {description: 'keep the secret the monitor has on the app (export writes this instead of the secret)', type: 'boolean'},
        threshold: {description: 'seconds (job-execution-time), dynos (the concurrency types) or % of the memory quota (memory)', maximum: 86_400, minimum: 1, type: 'integer'},
        trigger: {description: 'the name of the trigger it watches (a trigger of the file or the app)', minLength: 1, type: 'string'},
        type: {description: 'what it watches', enum: [...MONITOR_TYPES]},
        webhooks: {
          description: 'URLs to POST to; ${NAME} reads one from the environment, and a URL masked as export writes it (https://host/…) keeps the app\'s',
          items: {minLength: 1, type: 'string'},
          type: 'array',
        },
      },
      required: ['type'],
      type: 'object',
    },
    trigger: {
      additionalProperties: false,
      oneOf: [
        {required: ['schedule']},
        {required: ['at']},
      ],
      properties: {
        at: {
          description: 'one-off: the date and time to run at, read in the trigger\'s timezone (YYYY-MM-DD HH:MM)',
          examples: ['2027-06-15 12:00'],
          pattern: String.raw`^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}(:?\d{2})?)?$`,
          type: 'string',
        },
        catchUp: duration('how late a missed run may still start: seconds, or 15m, 1h... (default the smaller of the period and 1h)', 7 * 86_400),
        command: {description: 'the command to run, or a Procfile process type', maxLength: LIMITS.commandLength, minLength: 1, type: 'string'},
        concurrency: {default: 'forbid', description: 'when the previous run is still going: forbid (skip), allow, or replace (stop it)', enum: ['allow', 'forbid', 'replace']},
        env: {
          additionalProperties: {type: 'string'},
          description: 'environment variables for the run',
          propertyNames: {pattern: String.raw`^\w+$`},
          type: 'object',
        },
        failureEmail: {default: true, description: 'email on the first failed run of each day', type: 'boolean'},
        jitter: duration('delay each run by up to this long: seconds, or 30s, 5m...', LIMITS.maxJitter),
        maintenance: {default: 'run', description: 'in maintenance mode: run (with HEROKU_MAINTENANCE_MODE=true) or skip', enum: ['run', 'skip']},
        retries: {default: 0, description: 'retries after a failed run, with backoff', maximum: LIMITS.maxRetries, minimum: 0, type: 'integer'},
        schedule: {
          description: 'cron (5 or 6 fields), @daily-style macro, or "every 10 minutes" / "every hour at :30" / "every day at 09:30"',
          examples: ['30 2 * * *', '@hourly', 'every 10 minutes'],
          minLength: 1,
          type: 'string',
        },
        size: {description: 'dyno size, e.g. basic or standard-1x (default the app\'s)', pattern: String.raw`^[A-Za-z][\w-]{0,40}$`, type: 'string'},
        state: {default: 'active', description: 'active (the default), inactive, or completed (a one-off that has run: never fired again)', enum: ['active', 'inactive', 'completed']},
        timeout: {default: 1800, description: 'seconds before the run is stopped', maximum: LIMITS.maxTimeout, minimum: 1, type: 'integer'},
        timezone: {default: 'UTC', description: 'IANA timezone the schedule is read in', examples: ['UTC', 'Europe/Berlin'], type: 'string'},
      },
      required: ['command'],
      type: 'object',
    },
  },
  description: 'heroku-triggers schedule file: triggers and monitors by name, applied with heroku triggers:apply FILE',
  patternProperties: {'^x-': {description: 'free for YAML anchors'}},
  properties: {
    $schema: {type: 'string'},
    monitors: {additionalProperties: {$ref: '#/definitions/monitor'}, description: 'monitors by name (leave the key out to keep the app\'s as they are)', type: ['object', 'null']},
    triggers: {
      additionalProperties: {$ref: '#/definitions/trigger'},
      description: 'triggers by name',
      propertyNames: {maxLength: LIMITS.nameLength, minLength: 1},
      type: ['object', 'null'],
    },
    version: {const: 1, description: 'the file format\'s version'},
  },
  required: ['version'],
  title: 'heroku-triggers schedule file',
  type: 'object',
} as const
