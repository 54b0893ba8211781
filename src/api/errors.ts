// The API's envelopes: `{data, code: "ok"}` on success, `{error, code}` on failure.
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodError } from 'zod'
import { DomainError } from '../platform/errors.js'

export interface ErrorBody {
  error: string
  code: string
}

export function ok<T>(data: T) {
  return { data, code: 'ok' as const }
}

/** The first zod issue as one readable message and a machine code. */
export function validationError(error: ZodError): DomainError {
  const issue = error.issues[0]
  if (!issue) return new DomainError(400, 'invalid-body', 'the request is invalid')
  const path = issue.path.join('.') || 'body'
  switch (issue.code) {
    case 'unrecognized_keys':
      return new DomainError(400, 'unknown-field', `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`)
    case 'too_big':
      if (issue.origin === 'string' || issue.origin === 'array') {
        return new DomainError(400, 'field-too-long', `${path} is too long (at most ${String(issue.maximum)})`)
      }
      return new DomainError(400, 'invalid-field', `${path} is too large (at most ${String(issue.maximum)})`)
    case 'too_small':
      return new DomainError(400, 'invalid-field', `${path} is too small (at least ${String(issue.minimum)})`)
    case 'invalid_type':
      // zod does not keep the input on issues; its message names what it received.
      if (issue.message.endsWith('received undefined')) return new DomainError(400, 'missing-field', `${path} is required`)
      return new DomainError(400, 'invalid-field', `${path} must be ${issue.expected === 'object' && path === 'body' ? 'a JSON object' : `a ${issue.expected}`}`)
    default:
      return new DomainError(400, 'invalid-field', `${path}: ${issue.message}`)
  }
}

export function errorResponse(c: Context, err: DomainError, headers?: Record<string, string>): Response {
  return c.json({ error: err.message, code: err.code } satisfies ErrorBody, err.status, headers)
}

/** Maps anything thrown by a handler to an envelope; only real faults become 500. */
export function domainErrorOf(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err
  // Stripe unreachable or failing on its side: a dependency is down, not a fault of ours or of the request.
  const stripeType = (err as { type?: unknown }).type
  if (stripeType === 'StripeConnectionError' || stripeType === 'StripeAPIError' || stripeType === 'StripeRateLimitError') {
    return new DomainError(503, 'billing-unavailable', 'Stripe could not be reached; try again in a moment')
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return new DomainError(413, 'body-too-large', 'the request body is too large')
    if (err.status === 415) return new DomainError(415, 'unsupported-media-type', 'send the body as application/json')
    if (err.message.includes('Malformed JSON')) return new DomainError(400, 'invalid-json', 'the request body is not valid JSON')
    if (err.status >= 400 && err.status < 500) return new DomainError(err.status as 400, 'bad-request', err.message || 'bad request')
  }
  return undefined
}
