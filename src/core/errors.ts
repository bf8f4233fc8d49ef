// Every error a user can cause has a class here, and each class has one documented exit code
// (README "Exit codes"). Messages are one line: what is wrong, then how to write it right.

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  invalidInput: 2,
  notFound: 3,
  conflict: 4,
  confirmationRequired: 5,
  unauthorized: 6,
  appNotFound: 7,
  storeUnreadable: 8,
  platform: 9,
} as const

export class TriggersError extends Error {
  readonly exitCode: number = ExitCode.unexpected
}

/** A flag or argument is wrong: a bad cron field, timezone, date, size, timeout, name... */
export class InvalidInputError extends TriggersError {
  readonly exitCode: number = ExitCode.invalidInput
}

/** No trigger, run or monitor matches what was named, or more than one does. */
export class NotFoundError extends TriggersError {
  readonly exitCode: number = ExitCode.notFound
}

/** The change clashes with what is stored: a duplicate name, a concurrent change, a size limit. */
export class ConflictError extends TriggersError {
  readonly exitCode: number = ExitCode.conflict
}

/** A destructive command needs --confirm and there is no terminal to ask on. */
export class ConfirmationRequiredError extends TriggersError {
  readonly exitCode: number = ExitCode.confirmationRequired
}

/** The Heroku API key is missing or was rejected (401). */
export class UnauthorizedError extends TriggersError {
  readonly exitCode: number = ExitCode.unauthorized
}

/** The app does not exist or the user cannot see it (404 on the app). */
export class AppNotFoundError extends TriggersError {
  readonly exitCode: number = ExitCode.appNotFound
}

/** The store file is corrupt, from a newer version, or locked for too long. It is left as it was. */
export class StoreUnreadableError extends TriggersError {
  readonly exitCode: number = ExitCode.storeUnreadable
}

/** The Platform API failed in a way that retrying did not cure (5xx, 429, 422 limits...). */
export class PlatformError extends TriggersError {
  readonly exitCode: number = ExitCode.platform

  constructor(message: string, readonly status?: number, readonly id?: string) {
    super(message)
  }
}
