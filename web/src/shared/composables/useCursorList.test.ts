import { describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { ApiFailure } from '@/shared/api/failure'
import { useCursorList } from './useCursorList'

const flush = () => new Promise((r) => setTimeout(r, 0))

function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((res) => (resolve = res))
  return { promise, resolve }
}

describe('useCursorList', () => {
  it('loads the first page, appends the next, and starts again on reload', async () => {
    const pages: Record<string, { items: number[]; next: string }> = { '': { items: [1, 2], next: 'c2' }, c2: { items: [3], next: '' } }
    const l = effectScope().run(() => useCursorList(async (c) => pages[c]!))!
    await flush()
    expect(l.items.value).toEqual([1, 2])
    await l.more()
    expect(l.items.value).toEqual([1, 2, 3])
    expect(l.next.value).toBe('')
    await l.more() // nothing further: no call, no change
    expect(l.items.value).toEqual([1, 2, 3])
    await l.reload()
    expect(l.items.value).toEqual([1, 2])
    expect(l.next.value).toBe('c2')
  })

  it('drops a further page that arrives after a reload', async () => {
    const slow = deferred<{ items: number[]; next: string }>()
    let firstCalls = 0
    const l = effectScope().run(() => useCursorList(async (c) => (c ? slow.promise : { items: [++firstCalls * 10], next: 'c2' })))!
    await flush()
    const more = l.more()
    expect(l.loading.value).toBe(true)
    await l.reload()
    slow.resolve({ items: [99], next: '' })
    await more
    expect(l.items.value).toEqual([20])
    expect(l.next.value).toBe('c2')
    expect(l.loading.value).toBe(false)
  })

  it('keeps what it has when a further page fails, and says why', async () => {
    const l = effectScope().run(() =>
      useCursorList(async (c) => {
        if (c) throw new ApiFailure('the cursor is invalid', 400, 'invalid')
        return { items: ['a'], next: 'bad' }
      }),
    )!
    await flush()
    await l.more()
    expect(l.items.value).toEqual(['a'])
    expect(l.error.value?.message).toBe('the cursor is invalid')
    expect(l.next.value).toBe('bad') // so "Load more" can try again
  })
})
