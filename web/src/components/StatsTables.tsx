// The stats as text: the tiles, and each chart's numbers as a table (the charts' accessible alternative).
import { For } from 'solid-js'
import type { RelayStats } from '../lib/api'
import { formatBytes, formatCount, type KindSeries, type MemberSeries } from '../lib/stats'

function Tile(props: { label: string; value: string; testid: string }) {
  return (
    <div class="rounded-md bg-slate-50 p-3">
      <dt class="text-xs text-slate-600">{props.label}</dt>
      <dd class="text-lg font-semibold" data-testid={props.testid}>
        {props.value}
      </dd>
    </div>
  )
}

export function StatsTiles(props: { stats: RelayStats }) {
  const s = () => props.stats
  return (
    <dl class="grid grid-cols-2 gap-3 sm:grid-cols-4">
      <Tile label="Connections now" value={formatCount(s().connections)} testid="stat-connections" />
      <Tile label="Storage used" value={formatBytes(s().storage_bytes)} testid="stat-storage" />
      <Tile label="Events stored" value={formatCount(s().events_total)} testid="stat-events" />
      <Tile label="Members" value={`${s().members}${s().members_allowed === null ? '' : ` / ${s().members_allowed}`}`} testid="stat-members" />
    </dl>
  )
}

const th = 'px-2 py-1 text-left font-medium text-slate-600'
const td = 'px-2 py-1 tabular-nums'

/** A table with one row per day: the day heads the row, the other cells are numbers. */
function DayTable(props: { caption: string; testid: string; columns: string[]; days: string[]; cells: (i: number) => (string | number)[] }) {
  return (
    <table class="w-full text-sm" data-testid={props.testid}>
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <For each={['Day', ...props.columns]}>
            {(c) => (
              <th scope="col" class={th}>
                {c}
              </th>
            )}
          </For>
        </tr>
      </thead>
      <tbody>
        <For each={props.days}>
          {(day, i) => (
            <tr class="border-t border-slate-100">
              <th scope="row" class={`${td} text-left font-normal`}>
                {day}
              </th>
              <For each={props.cells(i())}>{(cell) => <td class={td}>{typeof cell === 'number' ? formatCount(cell) : cell}</td>}</For>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  )
}

export function MembersTable(props: { series: MemberSeries }) {
  const s = () => props.series
  return (
    <DayTable
      caption="Members per day"
      testid="members-table"
      columns={['Members', 'Plan limit']}
      days={s().days}
      cells={(i) => [s().members[i]!, s().limit ?? 'unlimited']}
    />
  )
}

export function KindsTable(props: { series: KindSeries }) {
  const s = () => props.series
  return (
    <DayTable
      caption="Events stored per day, by kind"
      testid="kinds-table"
      columns={[...s().bands.map((b) => b.label), 'Total']}
      days={s().days}
      cells={(i) => [...s().bands.map((b) => b.values[i]!), s().totals[i]!]}
    />
  )
}
