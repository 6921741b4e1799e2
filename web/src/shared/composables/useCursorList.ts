// useCursorList is useResource for lists the API pages with a cursor:
// the first page loads (with useResource's retries and stale-answer
// rule), `more` appends the next page, and `reload` starts again from the
// first page, dropping any further page still in flight from before.
import { computed, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import { asFailure, type ApiFailure } from '@/shared/api/failure'
import { useResource, type ResourceOptions } from './useResource'

export interface Page<T> {
  items: T[]
  next: string
}

export interface CursorList<T> {
  items: ShallowRef<T[] | undefined>
  next: Ref<string>
  error: Ref<ApiFailure | null>
  /** loading is true while the first page or a further one loads. */
  loading: ComputedRef<boolean>
  reload: () => Promise<void>
  more: () => Promise<void>
}

export function useCursorList<T>(loadPage: (cursor: string) => Promise<Page<T>>, opts: ResourceOptions = {}): CursorList<T> {
  const items = shallowRef<T[]>()
  const next = ref('')
  let generation = 0
  const first = useResource(async () => {
    const mine = ++generation
    const page = await loadPage('')
    if (mine === generation) {
      items.value = page.items
      next.value = page.next
    }
    return page
  }, opts)
  const loadingMore = ref(false)

  async function more() {
    if (!next.value || loadingMore.value) return
    const mine = generation
    loadingMore.value = true
    try {
      const page = await loadPage(next.value)
      if (mine !== generation) return // a reload started meanwhile
      items.value = [...(items.value ?? []), ...page.items]
      next.value = page.next
      first.error.value = null
    } catch (e) {
      if (mine === generation) first.error.value = asFailure(e)
    } finally {
      loadingMore.value = false
    }
  }

  return { items, next, error: first.error, loading: computed(() => first.loading.value || loadingMore.value), reload: first.reload, more }
}
