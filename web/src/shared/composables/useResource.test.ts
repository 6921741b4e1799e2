import { describe, expect, it } from 'vitest'
import { effectScope, nextTick } from 'vue'
import { ApiFailure } from '@/shared/api/failure'
import { useResource } from './useResource'

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('useResource', () => {
  it('loads, and a stale answer never overwrites a newer one', async () => {
    const answers = [deferred<string>(), deferred<string>()]
    let n = 0
    const r = effectScope().run(() => useResource(() => answers[n++]!.promise))!
    expect(r.loading.value).toBe(true)
    const second = r.reload()
    answers[1]!.resolve('new')
    await second
    answers[0]!.resolve('old')
    await flush()
    expect(r.data.value).toBe('new')
    expect(r.loading.value).toBe(false)
  })

  it('retries a retryable failure, then succeeds', async () => {
    let calls = 0
    const r = effectScope().run(() =>
      useResource(async () => {
        if (++calls < 3) throw new ApiFailure('down', 503, 'unavailable')
        return 42
      }, { backoffMs: 1 }),
    )!
    await r.reload()
    expect(r.data.value).toBe(42)
    expect(r.error.value).toBeNull()
  })

  it('does not retry what asking again cannot fix, and keeps the API’s words', async () => {
    let calls = 0
    const r = effectScope().run(() =>
      useResource(async () => {
        calls++
        throw new ApiFailure('service svc_1 not found', 404, 'not_found')
      }, { immediate: false, backoffMs: 1 }),
    )!
    await r.reload()
    expect(calls).toBe(1)
    expect(r.error.value?.message).toBe('service svc_1 not found')
    expect(r.loading.value).toBe(false)
  })

  it('gives up after its retries with the last failure', async () => {
    let calls = 0
    const r = effectScope().run(() =>
      useResource(async () => {
        calls++
        throw new ApiFailure('bad gateway', 502, 'error')
      }, { immediate: false, retries: 2, backoffMs: 1 }),
    )!
    await r.reload()
    expect(calls).toBe(3)
    expect(r.error.value?.status).toBe(502)
  })

  it('drops answers that arrive after its scope ended', async () => {
    const d = deferred<string>()
    const scope = effectScope()
    const r = scope.run(() => useResource(() => d.promise))!
    scope.stop()
    d.resolve('late')
    await flush()
    await nextTick()
    expect(r.data.value).toBeUndefined()
  })
})
