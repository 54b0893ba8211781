import qrcode from 'qrcode-generator'
import { createMemo } from 'solid-js'

/** An SVG QR code of `text` (scaled to its box). */
export function QrCode(props: { text: string; label: string }) {
  const svg = createMemo(() => {
    const qr = qrcode(0, 'L')
    qr.addData(props.text)
    qr.make()
    return qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true })
  })
  return <div role="img" aria-label={props.label} class="aspect-square w-full max-w-64 bg-white p-2" innerHTML={svg()} />
}
