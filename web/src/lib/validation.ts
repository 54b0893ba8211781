// What a tenant types, checked as they type. The subdomain rules are the platform's own function (shared
// with the API), so the dashboard and the server can never disagree about them.
import { LIMITS, subdomainProblem } from '../../../src/platform/validation'
import { describeError } from './errors'

export { LIMITS }

/** Words for what is wrong with a subdomain, or null when it is well-formed (it may still be taken). */
export function subdomainMessage(subdomain: string): string | null {
  if (subdomain === '') return 'Choose a subdomain for your relay.'
  const problem = subdomainProblem(subdomain)
  return problem ? describeError(problem.code, problem.message) : null
}

/** Lowercases and trims what was typed, the way people expect a host name to behave. */
export function normaliseSubdomain(typed: string): string {
  return typed.trim().toLowerCase()
}

export function iconUrlMessage(value: string): string | null {
  if (value.trim() === '') return null
  try {
    const url = new URL(value.trim())
    if (url.protocol === 'http:' || url.protocol === 'https:') return null
  } catch {
    // fall through
  }
  return 'Enter a web address starting with http:// or https://.'
}

export function lengthMessage(field: keyof typeof LIMITS, value: string, label: string): string | null {
  return value.length > LIMITS[field] ? `${label} is too long (at most ${LIMITS[field]} characters).` : null
}
