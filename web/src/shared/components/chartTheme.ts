// What every chart of ours shares: sized by its box, drawn at once (no
// animation to wait for), text in the theme's on-surface colour.
import type { ChartOptions, ChartType } from 'chart.js'

export function baseOptions<T extends ChartType>(text: string): ChartOptions<T> {
  return { responsive: true, maintainAspectRatio: false, animation: false, color: text } as ChartOptions<T>
}
