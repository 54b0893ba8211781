import { createSignal, For, onCleanup, Show } from 'solid-js'
import type { ImportResult, RelayDetail } from '../lib/api'
import { errorText } from '../lib/errors'
import { formatBytes, formatCount } from '../lib/stats'
import { exportEvents, importEvents, saveFile, type ExportProgress, type ImportProgress } from '../lib/transfer'
import { Alert } from './Alert'
import { Button } from './Button'
import { Section } from './Section'

/** A labelled progress bar; without a known total it shows the amount alone. */
function Progress(props: { label: string; value: number; max: number | null; text: string; testid: string }) {
  const percent = () => (props.max ? Math.min(100, Math.round((props.value / props.max) * 100)) : null)
  return (
    <div class="space-y-1">
      <div
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={props.max ?? undefined}
        aria-valuenow={props.max ? props.value : undefined}
        aria-valuetext={props.text}
        class="h-2 w-full overflow-hidden rounded-full bg-slate-100"
      >
        <div class={`h-full rounded-full bg-indigo-600 ${percent() === null ? 'animate-pulse' : ''}`} style={{ width: `${percent() ?? 100}%` }} />
      </div>
      <p class="text-sm text-slate-700" aria-live="polite" data-testid={props.testid}>
        {props.text}
      </p>
    </div>
  )
}

function exportText(p: ExportProgress): string {
  const of = p.total === null ? '' : ` of ${formatCount(p.total)}`
  return `${formatCount(p.events)}${of} events (${formatBytes(p.bytes)}) received`
}

function ExportSection(props: { relay: RelayDetail }) {
  const [progress, setProgress] = createSignal<ExportProgress | null>(null)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [done, setDone] = createSignal<string | null>(null)
  const abort = new AbortController()
  onCleanup(() => abort.abort())
  return (
    <Section title="Export" id="export-title" testid="export">
      <p class="text-sm text-slate-600">
        Download every event stored on this relay as a JSONL file (one event per line), to keep a backup or move to another relay or host.
      </p>
      <Show when={progress()}>{(p) => <Progress label="Export progress" value={p().events} max={p().total} text={exportText(p())} testid="export-progress" />}</Show>
      <Show when={error()}>
        <Alert>{error()}</Alert>
      </Show>
      <Show when={done()}>
        <Alert tone="success" testid="export-done">
          {done()}
        </Alert>
      </Show>
      <Button
        busy={busy()}
        onClick={async () => {
          setBusy(true)
          setError(null)
          setDone(null)
          try {
            const file = await exportEvents(props.relay.id, setProgress, abort.signal)
            saveFile(file)
            setDone(`Saved ${file.filename}: ${formatCount(file.events)} events.`)
          } catch (err) {
            if (!abort.signal.aborted) setError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        Export events
      </Button>
    </Section>
  )
}

export function ImportSummary(props: { result: ImportResult }) {
  const r = () => props.result
  return (
    <div class="space-y-2" data-testid="import-summary">
      <dl class="grid grid-cols-3 gap-3 text-sm">
        <div class="rounded-md bg-emerald-50 p-2">
          <dt class="text-emerald-800">Accepted</dt>
          <dd class="text-lg font-semibold" data-testid="import-accepted">
            {formatCount(r().accepted)}
          </dd>
        </div>
        <div class="rounded-md bg-slate-50 p-2">
          <dt class="text-slate-600" title="Already on the relay, or not stored by design">
            Skipped
          </dt>
          <dd class="text-lg font-semibold" data-testid="import-skipped">
            {formatCount(r().skipped)}
          </dd>
        </div>
        <div class="rounded-md bg-red-50 p-2">
          <dt class="text-red-800">Refused</dt>
          <dd class="text-lg font-semibold" data-testid="import-refused">
            {formatCount(r().refused.length)}
          </dd>
        </div>
      </dl>
      <Show when={r().refused.length > 0}>
        <details open={r().refused.length <= 20}>
          <summary class="cursor-pointer text-sm text-indigo-700">Refused lines</summary>
          <ul class="mt-1 max-h-72 space-y-1 overflow-auto text-sm" aria-label="Refused lines">
            <For each={r().refused}>
              {(x) => (
                <li data-testid="import-refused-line" data-line={x.line} class="break-words">
                  <span class="font-medium">Line {x.line}:</span> {x.reason}
                </li>
              )}
            </For>
          </ul>
        </details>
      </Show>
    </div>
  )
}

function ImportSection(props: { relay: RelayDetail }) {
  const [file, setFile] = createSignal<File | null>(null)
  const [progress, setProgress] = createSignal<ImportProgress | null>(null)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [finished, setFinished] = createSignal(false)
  const abort = new AbortController()
  onCleanup(() => abort.abort())
  return (
    <Section title="Import" id="import-title" testid="import">
      <form
        class="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault()
          const f = file()
          setError(null)
          setFinished(false)
          if (!f) return setError('Choose a .jsonl file to import first.')
          setBusy(true)
          try {
            await importEvents(props.relay.id, f, setProgress, { signal: abort.signal })
            setFinished(true)
          } catch (err) {
            if (!abort.signal.aborted) setError(`The import stopped: ${errorText(err)} What is counted below was imported.`)
          } finally {
            setBusy(false)
          }
        }}
      >
        <p class="text-sm text-slate-600">
          Add events from a JSONL file (one signed event per line), exported from this or another relay. Events already here are skipped; a line that
          is not a valid event is reported by its number and the rest still goes in.
        </p>
        <div class="space-y-1">
          <label for="import-file" class="block text-sm font-medium">
            JSONL file
          </label>
          <input
            id="import-file"
            type="file"
            accept=".jsonl,.ndjson,application/x-ndjson,application/jsonl"
            class="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-indigo-700"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null)
              setProgress(null)
              setFinished(false)
              setError(null)
            }}
          />
        </div>
        <Show when={progress()}>
          {(p) => (
            <Progress
              label="Import progress"
              value={p().bytes}
              max={p().size}
              text={`${formatBytes(p().bytes)} of ${formatBytes(p().size)} sent`}
              testid="import-progress"
            />
          )}
        </Show>
        <Show when={error()}>
          <Alert>{error()}</Alert>
        </Show>
        <Show when={finished()}>
          <Alert tone="success" testid="import-done">
            Import finished.
          </Alert>
        </Show>
        <Show when={progress() && (finished() || error())}>
          <ImportSummary result={progress()!.result} />
        </Show>
        <Button type="submit" busy={busy()} disabled={!file()}>
          Import events
        </Button>
      </form>
    </Section>
  )
}

export function DataPanel(props: { relay: RelayDetail }) {
  return (
    <>
      <ExportSection relay={props.relay} />
      <ImportSection relay={props.relay} />
    </>
  )
}
