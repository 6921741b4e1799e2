import { describe, expect, it } from 'vitest'
import { keep, limitLabels, meters, sampleOf } from './usage'

describe('service meters', () => {
  const usage = { cpu_percent: 150, memory_bytes: 2 * 1024 ** 3, disk_bytes: 10 * 1024 ** 3, network_rx_bytes: 1024 ** 3, network_tx_bytes: 1024 ** 3 }
  it('shares each reading of its limit', () => {
    const m = meters(usage, { cpu_cores: 2, memory_mb: 4096, disk_gb: 40, bandwidth_gb: 1000 })
    expect(m.map((x) => x.percent)).toEqual([75, 50, 25, 0])
    expect(m[1]!.value).toBe('2 GiB of 4 GiB')
  })
  it('shows a reading without a share when the plan has no limit', () => {
    const m = meters(usage, {})
    expect(m[2]!.percent).toBeNull()
    expect(m[2]!.value).toBe('10 GiB')
  })
  it('shows a hosting panel\'s allowances instead', () => {
    const quotas = [
      { name: 'diskspace', used: 3 * 1024 ** 3, limit: 10 * 1024 ** 3, unit: 'bytes' as const },
      { name: 'websites', used: 1, limit: 0, unit: 'count' as const },
    ]
    const m = meters({ ...usage, quotas }, { disk_gb: 10 })
    expect(m.map((x) => [x.label, x.value, x.percent, x.counted])).toEqual([
      ['Disk', '3 GiB of 10 GiB', 30, false],
      ['Websites', '1 of unlimited', null, true],
    ])
  })
  it('names the limits', () => {
    expect(limitLabels({ cpu_cores: 1, memory_mb: 2048, disk_gb: 0, backups: 2 })).toEqual(['1 vCPU', '2 GiB memory', '2 backups'])
  })
})

describe('live samples', () => {
  it('are shares of the limits, and keep the newest', () => {
    const u = { cpu_percent: 150, memory_bytes: 512 * 1024 ** 2, disk_bytes: 0, network_rx_bytes: 0, network_tx_bytes: 0 }
    expect(sampleOf(u, { cpu_cores: 2, memory_mb: 2048 }, 1000)).toEqual({ at: 1000, cpu: 75, memory: 25 })
    expect(sampleOf(u, {}, 1000)).toEqual({ at: 1000, cpu: 100, memory: null })
    let list: ReturnType<typeof sampleOf>[] = []
    for (let i = 1; i <= 5; i++) list = keep(list, { at: i, cpu: i, memory: null }, 3)
    expect(list.map((s) => s.at)).toEqual([3, 4, 5])
    expect(keep(list, { at: 5, cpu: 9, memory: null }, 3)).toBe(list) // the same reading again
  })
})
