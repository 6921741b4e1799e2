import { describe, expect, it } from 'vitest'
import { safeNext } from './next'

describe('safeNext', () => {
  it.each([
    ['/order?plan=vps&cycle=monthly', '/order?plan=vps&cycle=monthly'],
    ['/', '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
    ['javascript:alert(1)', '/'],
    [undefined, '/'],
    [['/a'], '/'],
  ])('%j → %s', (raw, want) => {
    expect(safeNext(raw)).toBe(want)
  })
})
