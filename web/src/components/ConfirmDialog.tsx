import { createEffect, createUniqueId, type JSX } from 'solid-js'
import { Button } from './Button'

/** A modal confirmation on the native <dialog>: focus moves into it, Escape cancels. */
export function ConfirmDialog(props: {
  open: boolean
  title: string
  children: JSX.Element
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  let dialog!: HTMLDialogElement
  // Several dialogs may share a page: each names itself by its own title.
  const titleId = `confirm-title-${createUniqueId()}`
  createEffect(() => {
    if (props.open && !dialog.open) dialog.showModal()
    if (!props.open && dialog.open) dialog.close()
  })
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      class="m-auto w-[min(28rem,calc(100%-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      onCancel={(e) => {
        e.preventDefault()
        props.onCancel()
      }}
    >
      <div class="space-y-3 p-5">
        <h2 id={titleId} class="text-lg font-semibold">
          {props.title}
        </h2>
        <div class="text-sm text-slate-700">{props.children}</div>
        <div class="flex flex-wrap justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={() => props.onCancel()} autofocus>
            Cancel
          </Button>
          <Button variant={props.danger ? 'danger' : 'primary'} busy={props.busy} onClick={() => props.onConfirm()}>
            {props.confirmLabel}
          </Button>
        </div>
      </div>
    </dialog>
  )
}
