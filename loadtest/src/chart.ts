/** Latency against load as an SVG line chart (log-scale latency), written without dependencies. */

export interface ChartSeries {
  label: string
  color: string
  /** [load, latency ms]; dashed draws a thinner dashed line (e.g. p50 beside p99). */
  points: [number, number][]
  dashed?: boolean
}

export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  series: ChartSeries[]
  /** A horizontal line, e.g. the 100 ms target. */
  target?: { value: number; label: string }
}

const W = 760
const H = 440
const M = { left: 70, right: 20, top: 40, bottom: 90 }

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function renderChart(spec: ChartSpec): string {
  const all = spec.series.flatMap((s) => s.points)
  if (all.length === 0) throw new Error('chart: no points')
  const xMax = niceCeil(Math.max(...all.map(([x]) => x)))
  const ys = [...all.map(([, y]) => y), ...(spec.target ? [spec.target.value] : [])].filter((y) => y > 0)
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)))
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)))
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right)
  const py = (y: number) =>
    M.top +
    (1 - (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${xmlText(spec.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${xmlText(spec.title)}</text>`,
  ]
  for (let y = yMin; y <= yMax; y *= 10) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`)
    out.push(`<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${y >= 1 ? y : y.toPrecision(1)}</text>`)
  }
  for (let i = 0; i <= 5; i++) {
    const x = (xMax * i) / 5
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`)
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${Math.round(x).toLocaleString('en')}</text>`)
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#888"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 36}" text-anchor="middle">${xmlText(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${xmlText(spec.yLabel)}</text>`,
  )
  if (spec.target) {
    const y = py(spec.target.value)
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="6 4"/>`)
    out.push(`<text x="${W - M.right - 4}" y="${y - 5}" text-anchor="end" fill="#c00">${xmlText(spec.target.label)}</text>`)
  }
  for (const s of spec.series) {
    const path = [...s.points].sort((a, b) => a[0] - b[0]).map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`)
    out.push(
      `<polyline points="${path.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.5 : 2.5}"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
    )
    for (const point of path) {
      const [cx, cy] = point.split(',')
      out.push(`<circle cx="${cx}" cy="${cy}" r="${s.dashed ? 2.5 : 3.5}" fill="${s.color}"/>`)
    }
  }
  spec.series.forEach((s, i) => {
    const x = M.left + (i % 2) * 330
    const y = H - 28 + Math.floor(i / 2) * 16 - (spec.series.length > 2 ? 12 : 0)
    out.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text x="${x + 30}" y="${y}">${xmlText(s.label)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

/** 1, 2 or 5 times a power of ten, at or above `value`. */
export function niceCeil(value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10
  return step * power
}
