import { onCleanup, onMount } from 'solid-js'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/**
 * A uPlot chart that fills its container's width (and follows it on resize). The canvas is decorative for
 * assistive technology: callers give the same numbers as text and a table next to it.
 */
export function Chart(props: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; height?: number; testid?: string }) {
  let box!: HTMLDivElement
  let plot: uPlot | undefined
  onMount(() => {
    const size = () => ({ width: Math.max(200, box.clientWidth), height: props.height ?? 220 })
    plot = new uPlot({ ...props.options, ...size() }, props.data, box)
    const observer = new ResizeObserver(() => plot?.setSize(size()))
    observer.observe(box)
    onCleanup(() => {
      observer.disconnect()
      plot?.destroy()
    })
  })
  return <div ref={box} aria-hidden="true" class="w-full min-w-0 overflow-hidden" data-testid={props.testid} />
}
