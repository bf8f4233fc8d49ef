// Every statement of the Postgres store. Everything lives in the schema heroku_triggers, keyed by
// app (one database may serve several apps, and --local projects), and never touches the app's own
// tables. Migrations are numbered, forward-only, and each runs in one transaction.
export const SCHEMA = 'heroku_triggers'
/** the channel a definition change is announced on; the payload is the app */
export const CHANNEL = 'heroku_triggers_definitions'

export const MIGRATIONS: ReadonlyArray<{version: number; sql: string}> = [
  {
    sql: `
      CREATE TABLE ${SCHEMA}.apps (
        app text PRIMARY KEY,
        definitions_version bigint NOT NULL DEFAULT 0,
        monitors jsonb NOT NULL DEFAULT '[]',
        last_pass_at timestamptz,
        clock_owner text,
        clock_started_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${SCHEMA}.triggers (
        app text NOT NULL,
        id text NOT NULL,
        position bigserial,
        doc jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app, id)
      );
      CREATE TABLE ${SCHEMA}.runs (
        app text NOT NULL,
        id text NOT NULL,
        trigger_id text,
        nominal_at timestamptz,
        attempt integer NOT NULL DEFAULT 1,
        state text NOT NULL,
        dyno text,
        claimed_by text,
        recorded_at timestamptz NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (app, id)
      );
      CREATE INDEX runs_by_recorded_at ON ${SCHEMA}.runs (app, recorded_at DESC);
      CREATE INDEX runs_by_trigger ON ${SCHEMA}.runs (app, trigger_id, nominal_at DESC);
    `,
    version: 1,
  },
  {
    // metrics: per-minute rollups of finished runs (src/core/metrics.ts), the app's (key '*') and each trigger's
    sql: `
      CREATE TABLE ${SCHEMA}.rollups (
        app text NOT NULL,
        key text NOT NULL,
        at timestamptz NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (app, key, at)
      );
      ALTER TABLE ${SCHEMA}.runs ADD COLUMN rolled_up boolean NOT NULL DEFAULT false;
    `,
    version: 2,
  },
  {
    // monitors: what each remembers, the alerts, and the notification outbox (src/store/alerts.ts)
    sql: `
      CREATE TABLE ${SCHEMA}.monitor_states (
        app text NOT NULL,
        key text NOT NULL,
        doc jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (app, key)
      );
      CREATE TABLE ${SCHEMA}.alerts (
        app text NOT NULL,
        id text NOT NULL,
        monitor_id text NOT NULL,
        state text NOT NULL,
        opened_at timestamptz NOT NULL,
        resolved_at timestamptz,
        doc jsonb NOT NULL,
        PRIMARY KEY (app, id)
      );
      CREATE INDEX alerts_by_opened_at ON ${SCHEMA}.alerts (app, opened_at DESC);
      CREATE TABLE ${SCHEMA}.outbox (
        app text NOT NULL,
        id text NOT NULL,
        doc jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_at timestamptz NOT NULL,
        sent_at timestamptz,
        gave_up text,
        last_error text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (app, id)
      );
      CREATE INDEX outbox_pending ON ${SCHEMA}.outbox (app, next_at) WHERE sent_at IS NULL AND gave_up IS NULL;
    `,
    version: 3,
  },
]

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version

export const SQL = {
  appliedVersion: `SELECT coalesce(max(version), 0)::int AS version FROM ${SCHEMA}.schema_migrations`,
  createSchema: `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}; CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  markApplied: `INSERT INTO ${SCHEMA}.schema_migrations (version) VALUES ($1)`,
  migrationLock: `SELECT pg_advisory_xact_lock(hashtext('${SCHEMA}'), 0)`,

  /** the app's definitions in one round trip: its triggers in creation order and its monitors */
  readDefinitions: `
    SELECT coalesce((SELECT monitors FROM ${SCHEMA}.apps WHERE app = $1), '[]'::jsonb) AS monitors,
           coalesce((SELECT jsonb_agg(doc ORDER BY position) FROM ${SCHEMA}.triggers WHERE app = $1), '[]'::jsonb) AS triggers`,
  ensureApp: `INSERT INTO ${SCHEMA}.apps (app) VALUES ($1) ON CONFLICT (app) DO NOTHING`,
  /** serialises the writers of one app's definitions: the row lock is held to COMMIT */
  lockApp: `SELECT definitions_version FROM ${SCHEMA}.apps WHERE app = $1 FOR UPDATE`,
  deleteTriggers: `DELETE FROM ${SCHEMA}.triggers WHERE app = $1 AND id = ANY($2::text[])`,
  putTriggers: `
    INSERT INTO ${SCHEMA}.triggers (app, id, doc)
    SELECT $1, t->>'id', t FROM jsonb_array_elements($2::jsonb) AS t
    ON CONFLICT (app, id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
  bumpDefinitions: `UPDATE ${SCHEMA}.apps SET definitions_version = definitions_version + 1, monitors = $2::jsonb, updated_at = now() WHERE app = $1`,
  notify: `SELECT pg_notify('${CHANNEL}', $1)`,
  listen: `LISTEN ${CHANNEL}`,

  /** each run's newest snapshot wins; one statement for a whole batch */
  putRuns: `
    INSERT INTO ${SCHEMA}.runs (app, id, trigger_id, nominal_at, attempt, state, dyno, recorded_at, doc)
    SELECT $1, r->>'id', r->>'triggerId', (r->>'nominalAt')::timestamptz, coalesce((r->>'attempt')::int, 1), r->>'state', r->>'dyno', to_timestamp($2::double precision / 1000), r
    FROM jsonb_array_elements($3::jsonb) AS r
    ON CONFLICT (app, id) DO UPDATE SET state = EXCLUDED.state, dyno = EXCLUDED.dyno, recorded_at = EXCLUDED.recorded_at, doc = EXCLUDED.doc`,
  /** runs copied from another store keep their own time, so retention and order hold */
  importRuns: `
    INSERT INTO ${SCHEMA}.runs (app, id, trigger_id, nominal_at, attempt, state, dyno, recorded_at, doc)
    SELECT $1, r->>'id', r->>'triggerId', (r->>'nominalAt')::timestamptz, coalesce((r->>'attempt')::int, 1), r->>'state', r->>'dyno',
           coalesce((r->>'endedAt')::timestamptz, (r->>'startedAt')::timestamptz, (r->>'requestedAt')::timestamptz, (r->>'nominalAt')::timestamptz, to_timestamp($2::double precision / 1000)), r
    FROM jsonb_array_elements($3::jsonb) AS r
    ON CONFLICT (app, id) DO NOTHING`,
  /**
   * A run is claimed by inserting its key. A key already there is this clock's only when this clock
   * claimed it (a retried statement) or when it was left pending, never launched, by a clock that
   * no longer holds the lease (it died between its claim and its API call).
   */
  claimRuns: `
    INSERT INTO ${SCHEMA}.runs AS old (app, id, trigger_id, nominal_at, attempt, state, dyno, claimed_by, recorded_at, doc)
    SELECT $1, r->>'id', r->>'triggerId', (r->>'nominalAt')::timestamptz, coalesce((r->>'attempt')::int, 1), r->>'state', r->>'dyno', $4, to_timestamp($2::double precision / 1000), r
    FROM jsonb_array_elements($3::jsonb) AS r
    ON CONFLICT (app, id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, state = EXCLUDED.state, recorded_at = EXCLUDED.recorded_at, doc = EXCLUDED.doc
      WHERE old.state = 'pending' AND old.dyno IS NULL
        AND (old.claimed_by = EXCLUDED.claimed_by OR old.claimed_by IS DISTINCT FROM (SELECT clock_owner FROM ${SCHEMA}.apps WHERE app = $1))
    RETURNING id`,
  latestRuns: `
    SELECT doc FROM ${SCHEMA}.runs
    WHERE app = $1 AND recorded_at >= to_timestamp($2::double precision / 1000) AND ($4::text[] IS NULL OR state = ANY($4::text[]))
    ORDER BY recorded_at DESC, id DESC LIMIT $3`,
  /** retention, a bounded batch at a time so no statement holds locks for long */
  pruneRuns: `
    DELETE FROM ${SCHEMA}.runs WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM ${SCHEMA}.runs WHERE app = $1 AND recorded_at < to_timestamp($2::double precision / 1000) LIMIT $3))`,
  countRuns: `SELECT count(*)::int AS n FROM ${SCHEMA}.runs WHERE app = $1`,

  /** one writer of an app's rollups at a time, to COMMIT: a minute's row is read, merged and written back */
  lockRollups: `SELECT pg_advisory_xact_lock(hashtext('${SCHEMA}:rollups'), hashtext($1))`,
  /** the runs of a batch already counted in the rollups */
  countedRuns: `SELECT id FROM ${SCHEMA}.runs WHERE app = $1 AND id = ANY($2::text[]) AND rolled_up`,
  markRolledUp: `UPDATE ${SCHEMA}.runs SET rolled_up = true WHERE app = $1 AND id = ANY($2::text[])`,
  rollupsAt: `
    SELECT r.doc FROM ${SCHEMA}.rollups r JOIN unnest($2::text[], $3::double precision[]) AS u(key, at)
      ON r.app = $1 AND r.key = u.key AND r.at = to_timestamp(u.at / 1000)`,
  putRollups: `
    INSERT INTO ${SCHEMA}.rollups (app, key, at, doc)
    SELECT $1, r->>'key', to_timestamp((r->>'at')::double precision / 1000), r FROM jsonb_array_elements($2::jsonb) AS r
    ON CONFLICT (app, key, at) DO UPDATE SET doc = EXCLUDED.doc`,
  rollups: `
    SELECT doc FROM ${SCHEMA}.rollups
    WHERE app = $1 AND key = $2 AND at >= to_timestamp($3::double precision / 1000) AND at < to_timestamp($4::double precision / 1000) ORDER BY at`,
  pruneRollups: `DELETE FROM ${SCHEMA}.rollups WHERE app = $1 AND at < to_timestamp($2::double precision / 1000)`,

  readClockState: `SELECT (extract(epoch FROM last_pass_at) * 1000)::double precision AS last_pass_at FROM ${SCHEMA}.apps WHERE app = $1`,
  writeClockState: `
    INSERT INTO ${SCHEMA}.apps (app, last_pass_at) VALUES ($1, to_timestamp($2::double precision / 1000))
    ON CONFLICT (app) DO UPDATE SET last_pass_at = EXCLUDED.last_pass_at`,
  tryLease: `SELECT pg_try_advisory_lock(hashtext('${SCHEMA}:clock'), hashtext($1)) AS held`,
  waitLease: `SELECT pg_advisory_lock(hashtext('${SCHEMA}:clock'), hashtext($1))`,
  releaseLease: `SELECT pg_advisory_unlock(hashtext('${SCHEMA}:clock'), hashtext($1))`,
  leaseHolder: `SELECT clock_owner, clock_started_at FROM ${SCHEMA}.apps WHERE app = $1`,
  takeLease: `
    INSERT INTO ${SCHEMA}.apps (app, clock_owner, clock_started_at) VALUES ($1, $2, now())
    ON CONFLICT (app) DO UPDATE SET clock_owner = EXCLUDED.clock_owner, clock_started_at = EXCLUDED.clock_started_at`,
  /** a dead peer is noticed by the server in about 25 s instead of TCP's two hours */
  keepalives: 'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3',
} as const

/** The statements of monitors' state, alerts and the outbox (src/store/postgres/alerts.ts). */
export const ALERT_SQL = {
  states: `SELECT doc FROM ${SCHEMA}.monitor_states WHERE app = $1`,
  putStates: `
    INSERT INTO ${SCHEMA}.monitor_states (app, key, doc)
    SELECT $1, s->>'key', s FROM jsonb_array_elements($2::jsonb) AS s
    ON CONFLICT (app, key) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
  putAlerts: `
    INSERT INTO ${SCHEMA}.alerts (app, id, monitor_id, state, opened_at, resolved_at, doc)
    SELECT $1, a->>'id', a->>'monitorId', a->>'state', (a->>'openedAt')::timestamptz, (a->>'resolvedAt')::timestamptz, a
    FROM jsonb_array_elements($2::jsonb) AS a
    ON CONFLICT (app, id) DO UPDATE SET state = EXCLUDED.state, resolved_at = EXCLUDED.resolved_at, doc = EXCLUDED.doc`,
  /** a notification already in the outbox (the same decision replayed) is kept as it was */
  putOutbox: `
    INSERT INTO ${SCHEMA}.outbox (app, id, doc, next_at, created_at)
    SELECT $1, n->>'id', n, to_timestamp($2::double precision / 1000), to_timestamp((n->>'createdAt')::double precision / 1000)
    FROM jsonb_array_elements($3::jsonb) AS n
    ON CONFLICT (app, id) DO NOTHING`,
  pending: `
    SELECT doc, attempts, (extract(epoch FROM next_at) * 1000)::double precision AS next_at, last_error FROM ${SCHEMA}.outbox
    WHERE app = $1 AND sent_at IS NULL AND gave_up IS NULL AND next_at <= to_timestamp($2::double precision / 1000)
    ORDER BY next_at, created_at LIMIT $3`,
  markSent: `UPDATE ${SCHEMA}.outbox SET sent_at = to_timestamp($3::double precision / 1000), attempts = attempts + 1 WHERE app = $1 AND id = $2`,
  markRetry: `UPDATE ${SCHEMA}.outbox SET attempts = $3, next_at = to_timestamp($4::double precision / 1000), last_error = $5 WHERE app = $1 AND id = $2`,
  markGivenUp: `UPDATE ${SCHEMA}.outbox SET gave_up = $3, last_error = $3 WHERE app = $1 AND id = $2`,
  listAlerts: `
    SELECT doc FROM ${SCHEMA}.alerts
    WHERE app = $1 AND ($2::boolean IS NOT TRUE OR state = 'open') AND ($3::text IS NULL OR monitor_id = $3)
      AND ($4::double precision IS NULL OR greatest(opened_at, coalesce(resolved_at, opened_at)) >= to_timestamp($4::double precision / 1000))
    ORDER BY opened_at DESC LIMIT $5`,
  pruneOutbox: `DELETE FROM ${SCHEMA}.outbox WHERE app = $1 AND (sent_at IS NOT NULL OR gave_up IS NOT NULL) AND created_at < to_timestamp($2::double precision / 1000)`,
} as const
