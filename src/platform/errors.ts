// A failure the caller can act on: an HTTP status and a stable kebab-case machine code.
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 501 | 502 | 503

export class DomainError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export const notFound = (what: string) => new DomainError(404, `${what}-not-found`, `${what} not found`)
export const forbidden = () => new DomainError(403, 'forbidden', 'you are not allowed to do this')
