import { createResource, Show, type JSX } from 'solid-js'
import uPlot from 'uplot'
import { api, type RelayDetail } from '../lib/api'
import { errorText } from '../lib/errors'
import { formatCount, kindSeries, kindSummary, memberSeries, memberSummary, stack, type KindSeries, type MemberSeries } from '../lib/stats'
import { Alert } from './Alert'
import { Button } from './Button'
import { Chart } from './Chart'
import { Section } from './Section'
import { Spinner } from './Spinner'
import { KindsTable, MembersTable, StatsTiles } from './StatsTables'

const DAYS = 30
const BAND_COLOURS = ['#4f46e5', '#0891b2', '#16a34a', '#d97706', '#94a3b8']

/** A chart with its one-sentence summary as the caption and the numbers as a table behind a disclosure. */
function Figure(props: { title: string; summary: string; chart: JSX.Element; table: JSX.Element; testid: string }) {
  return (
    <figure class="space-y-2" data-testid={props.testid}>
      <figcaption>
        <span class="block text-sm font-medium">{props.title}</span>
        <span class="block text-sm text-slate-600" data-testid={`${props.testid}-summary`}>
          {props.summary}
        </span>
      </figcaption>
      {props.chart}
      <details class="text-sm">
        <summary class="cursor-pointer text-indigo-700">Show the numbers as a table</summary>
        <div class="mt-2 max-h-72 overflow-auto">{props.table}</div>
      </details>
    </figure>
  )
}

/** Half a day of room on either side, so the first and last day's bars are drawn whole. */
const dayScale: uPlot.Scale = { time: false, range: (_u, min, max) => [min - 43_200, max + 43_200] }
const dayAxis: uPlot.Axis = { values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) }

function MembersChart(props: { series: MemberSeries }) {
  const s = props.series
  const series: uPlot.Series[] = [
    { label: 'Day', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
    { label: 'Members', stroke: '#4f46e5', width: 2, fill: 'rgba(79,70,229,0.08)' },
  ]
  const data: (number | null)[][] = [s.x, s.members]
  if (s.limit !== null) {
    series.push({ label: 'Member limit', stroke: '#dc2626', width: 1.5, dash: [6, 4], points: { show: false } })
    data.push(s.x.map(() => s.limit))
  }
  const max = Math.max(1, ...s.members, s.limit ?? 0)
  return (
    <Chart
      testid="members-chart"
      options={{ series, axes: [dayAxis, {}], scales: { x: dayScale, y: { range: [0, Math.ceil(max * 1.1)] } } }}
      data={data as uPlot.AlignedData}
    />
  )
}

function KindsChart(props: { series: KindSeries }) {
  const s = props.series
  const bands = s.bands.map((b) => b.values)
  const stacked = stack(bands)
  const bars = uPlot.paths.bars!({ size: [0.7, 40] })
  // Each band is drawn as the running total up to it, tallest first, so the ones below show through; the legend
  // shows each band's own count.
  const order = s.bands.map((_, i) => i).reverse()
  const series: uPlot.Series[] = [
    { label: 'Day', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
    ...order.map((b) => ({
      label: s.bands[b]!.label,
      fill: BAND_COLOURS[Math.min(b, BAND_COLOURS.length - 1)],
      stroke: BAND_COLOURS[Math.min(b, BAND_COLOURS.length - 1)],
      paths: bars,
      points: { show: false },
      value: (_u: uPlot, _v: number | null, _si: number, i: number | null) => (i == null ? '' : formatCount(bands[b]![i]!)),
    })),
  ]
  return (
    <Chart
      testid="kinds-chart"
      options={{ series, axes: [dayAxis, {}], scales: { x: dayScale, y: { range: [0, Math.max(1, ...s.totals) * 1.1] } } }}
      data={[s.x, ...order.map((b) => stacked[b]!)] as uPlot.AlignedData}
    />
  )
}

export function StatsPanel(props: { relay: RelayDetail }) {
  const [stats, { refetch }] = createResource(() => api.stats(props.relay.id, DAYS))
  return (
    <Section title={`Stats (last ${DAYS} days)`} id="stats-title" testid="stats-panel">
      <Show when={stats.error}>
        <Alert>{errorText(stats.error)}</Alert>
      </Show>
      {/* Keyed: a refresh draws the charts anew from the new numbers. */}
      <Show when={stats.latest} keyed fallback={<Show when={!stats.error}>{<Spinner label="Loading stats…" />}</Show>}>
        {(s) => {
          const members = memberSeries(s)
          const kinds = kindSeries(s.daily)
          return (
            <div class="space-y-6">
              <StatsTiles stats={s} />
              <Figure
                testid="members-figure"
                title="Members per day"
                summary={memberSummary(members)}
                chart={<MembersChart series={members} />}
                table={<MembersTable series={members} />}
              />
              <Figure
                testid="kinds-figure"
                title="Events stored per day, by kind"
                summary={kindSummary(kinds)}
                chart={<KindsChart series={kinds} />}
                table={<KindsTable series={kinds} />}
              />
            </div>
          )
        }}
      </Show>
      <Button variant="secondary" busy={stats.loading} onClick={() => void refetch()}>
        Refresh
      </Button>
    </Section>
  )
}
