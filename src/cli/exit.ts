import { type ApiError, isApiError } from '../client/index.js';

/** What `tally` exits with (docs/cli.md): scripts may branch on these. */
export const EXIT = {
  ok: 0,
  /** The function failed (its error is printed), or the api answered with another error (409, 5xx). */
  failed: 1,
  /** The command line is wrong, or the api refused the input as invalid (400, 413, 415). */
  usage: 2,
  /** No key, or the api refused it (401, 403). */
  auth: 3,
  /** The function, invoice, budget... does not exist (404). */
  notFound: 4,
  /** The api could not be reached (connection refused, unknown host, timeout). */
  unreachable: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports on one line and exits with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  return EXIT.failed;
}

/** An error answer as a CliError: the api's code and message, with the request id to quote. */
export function apiFailure(response: Response, body: unknown): CliError {
  if (isApiError(body)) {
    const e = (body as ApiError).error;
    return new CliError(`${e.code}: ${e.message} (request ${e.requestId})`, exitCodeForStatus(response.status));
  }
  return new CliError(`HTTP ${response.status} ${response.statusText}`.trim(), exitCodeForStatus(response.status));
}
