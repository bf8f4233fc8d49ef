// Heroku Scheduler's jobs, read from particleboard (the API its dashboard uses; undocumented, see
// shared/reference/platform-api.md §7): GET /apps/{app uuid}/jobs in JSON:API, with the user's token.
import type {APIClient} from '@heroku-cli/command'

import type {SchedulerJob} from '../core/import.js'

import {PlatformError, UnauthorizedError} from '../core/errors.js'

interface JobResource {
  attributes?: {at?: number; command?: string; 'dyno-size'?: null | string; every?: number}
  id?: number | string
}

export async function schedulerJobs(client: APIClient, app: string, appId: string): Promise<SchedulerJob[]> {
  const {particleboard} = client
  particleboard.auth = await client.getAuth()
  let body: {data?: JobResource[]}
  try {
    ({body} = await particleboard.get<{data?: JobResource[]}>(`/apps/${encodeURIComponent(appId)}/jobs`, {
      headers: {accept: 'application/vnd.api+json', 'content-type': 'application/vnd.api+json'},
    }))
  } catch (error) {
    const status = (error as {http?: {statusCode?: number}}).http?.statusCode
    if (status === 401) throw new UnauthorizedError('the Heroku API rejected the API key (401): run heroku login, or check HEROKU_API_KEY')
    if (status === 404 || status === 403) {
      throw new PlatformError(`cannot read the Heroku Scheduler jobs of ${app} (HTTP ${status}): check that it has the scheduler add-on (heroku addons --app ${app}), or import an Advanced Scheduler file with --from FILE`, status)
    }

    throw new PlatformError(`cannot read the Heroku Scheduler jobs of ${app}: ${status === undefined ? (error as Error).message : `HTTP ${status}`}`, status)
  }

  return (body.data ?? []).map(job => ({
    at: Number(job.attributes?.at ?? 0),
    command: job.attributes?.command ?? '',
    every: Number(job.attributes?.every ?? 0),
    id: String(job.id ?? ''),
    size: job.attributes?.['dyno-size'] ?? null,
  }))
}
