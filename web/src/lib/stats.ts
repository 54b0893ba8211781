// A relay's stats shaped for charts and their text alternatives: members per day against the plan limit, and
// events per day for the busiest kinds with the rest summed as "other".
import type { RelayStats } from './api'
import { kindLabel } from './kinds'

/** `2026-05-01` → unix seconds at 00:00 UTC. */
export function dayToUnix(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000
}

export interface MemberSeries {
  days: string[]
  x: number[]
  members: number[]
  /** The plan's member limit; null = unlimited (no line). */
  limit: number | null
}

export function memberSeries(stats: Pick<RelayStats, 'daily' | 'members_allowed'>): MemberSeries {
  return {
    days: stats.daily.map((d) => d.day),
    x: stats.daily.map((d) => dayToUnix(d.day)),
    members: stats.daily.map((d) => d.members),
    limit: stats.members_allowed,
  }
}

export interface KindBand {
  label: string
  /** The kinds summed in this band (several for "other"). */
  kinds: number[]
  values: number[]
}

export interface KindSeries {
  days: string[]
  x: number[]
  bands: KindBand[]
  totals: number[]
}

/** The `top` kinds with the most events over the period, busiest first, then one "Other kinds" band for the rest. */
export function kindSeries(daily: RelayStats['daily'], top = 4): KindSeries {
  const sums = new Map<number, number>()
  for (const d of daily) for (const [k, n] of Object.entries(d.events)) sums.set(Number(k), (sums.get(Number(k)) ?? 0) + n)
  const ranked = [...sums.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0])
  const shown = ranked.slice(0, top).map(([k]) => k)
  const rest = ranked.slice(top).map(([k]) => k)
  const valuesFor = (kinds: number[]) => daily.map((d) => kinds.reduce((sum, k) => sum + (d.events[String(k)] ?? 0), 0))
  const bands: KindBand[] = shown.map((k) => ({ label: kindLabel(k), kinds: [k], values: valuesFor([k]) }))
  if (rest.length > 0) bands.push({ label: 'Other kinds', kinds: rest, values: valuesFor(rest) })
  return {
    days: daily.map((d) => d.day),
    x: daily.map((d) => dayToUnix(d.day)),
    bands,
    totals: daily.map((_, i) => bands.reduce((sum, b) => sum + b.values[i]!, 0)),
  }
}

/** Running sums, band over band, for drawing stacked bars (the last is the day's total). */
export function stack(bands: number[][]): number[][] {
  const out: number[][] = []
  bands.forEach((values, b) => out.push(values.map((v, i) => v + (b > 0 ? out[b - 1]![i]! : 0))))
  return out
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${value} ${value === 1 ? 'byte' : 'bytes'}` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export const formatCount = (n: number) => n.toLocaleString('en-US')

/** One sentence for a screen reader on the members chart. */
export function memberSummary(s: MemberSeries): string {
  if (s.members.length === 0) return 'No member history yet.'
  const first = s.members[0]!
  const last = s.members[s.members.length - 1]!
  const peak = Math.max(...s.members)
  const limit = s.limit === null ? 'The plan has no member limit.' : `The plan allows ${s.limit}.`
  return `Members went from ${first} on ${s.days[0]} to ${last} on ${s.days[s.days.length - 1]} (peak ${peak}). ${limit}`
}

export function kindSummary(s: KindSeries): string {
  const total = s.totals.reduce((a, b) => a + b, 0)
  if (total === 0) return 'No events were stored in this period.'
  const busiest = s.totals.indexOf(Math.max(...s.totals))
  const parts = s.bands.map((b) => `${b.label}: ${formatCount(b.values.reduce((a, v) => a + v, 0))}`)
  return `${formatCount(total)} events over ${s.days.length} days; busiest day ${s.days[busiest]} with ${formatCount(s.totals[busiest]!)}. ${parts.join('; ')}.`
}
