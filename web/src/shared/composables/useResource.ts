// useResource loads data for a page or a card: loading, error and data
// states, a reload, stale answers dropped (the newest request wins, so a
// fast second answer is never overwritten by a slow first one), and a few
// retries with backoff for reads that failed on the network or the
// server. Only reads come through here: writes are not retried.
import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiFailure, asFailure } from '@/shared/api/failure'

export interface Resource<T> {
  data: ShallowRef<T | undefined>
  error: Ref<ApiFailure | null>
  loading: Ref<boolean>
  /** reload asks again; the answer replaces data only if it is the newest. */
  reload: () => Promise<void>
}

export interface ResourceOptions {
  /** immediate loads at once (default true). */
  immediate?: boolean
  /** retries after a retryable failure (default 2). */
  retries?: number
  /** backoffMs is the first pause between tries, doubled each time (default 300). */
  backoffMs?: number
}

export function useResource<T>(load: () => Promise<T>, opts: ResourceOptions = {}): Resource<T> {
  const data = shallowRef<T>()
  const error = ref<ApiFailure | null>(null)
  const loading = ref(false)
  const retries = opts.retries ?? 2
  const backoff = opts.backoffMs ?? 300
  let seq = 0
  let disposed = false
  onScopeDispose(() => {
    disposed = true
  })

  async function reload() {
    const mine = ++seq
    loading.value = true
    for (let attempt = 0; ; attempt++) {
      try {
        const v = await load()
        if (mine !== seq || disposed) return
        data.value = v
        error.value = null
        break
      } catch (e) {
        if (mine !== seq || disposed) return
        const f = asFailure(e)
        if (f.retryable && attempt < retries) {
          await new Promise((r) => setTimeout(r, backoff * 2 ** attempt))
          if (mine !== seq || disposed) return
          continue
        }
        error.value = f
        break
      }
    }
    loading.value = false
  }

  if (opts.immediate ?? true) void reload()
  return { data, error, loading, reload }
}
