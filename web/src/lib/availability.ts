// Live subdomain availability: the shared syntax rules answer at once, the API answers "taken?" after a
// short pause in typing. Stale answers are dropped.
import { createSignal, onCleanup } from 'solid-js'
import { api } from './api'
import { describeError, errorText } from './errors'
import { subdomainMessage } from './validation'

export type Availability =
  | { state: 'empty' }
  | { state: 'invalid'; message: string }
  | { state: 'checking' }
  | { state: 'available' }
  | { state: 'unavailable'; message: string }
  | { state: 'unknown'; message: string }

export function createAvailability(delayMs = 300) {
  const [status, setStatus] = createSignal<Availability>({ state: 'empty' })
  let timer: ReturnType<typeof setTimeout> | undefined
  let inflight: AbortController | undefined

  const check = (subdomain: string) => {
    clearTimeout(timer)
    inflight?.abort()
    if (subdomain === '') return setStatus({ state: 'empty' })
    const problem = subdomainMessage(subdomain)
    if (problem) return setStatus({ state: 'invalid', message: problem })
    setStatus({ state: 'checking' })
    timer = setTimeout(async () => {
      const ctrl = (inflight = new AbortController())
      try {
        const answer = await api.subdomain(subdomain, ctrl.signal)
        if (ctrl.signal.aborted) return
        setStatus(
          answer.available
            ? { state: 'available' }
            : { state: 'unavailable', message: describeError(answer.reason_code ?? 'subdomain-exists', answer.reason ?? '') },
        )
      } catch (err) {
        if (ctrl.signal.aborted) return
        setStatus({ state: 'unknown', message: `Could not check availability: ${errorText(err)}` })
      }
    }, delayMs)
  }
  onCleanup(() => {
    clearTimeout(timer)
    inflight?.abort()
  })
  return { status, check }
}
