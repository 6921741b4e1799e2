// People by account id, so admin tables name customers and staff instead
// of numbering them: the newest 200 accounts are read once per page view;
// an id not among them still shows, and still links to its page.
import { ref } from 'vue'
import { api } from '@/shared/api/client'

export function usePeople() {
  const names = ref<Record<string, string>>({})
  async function load() {
    let cursor = ''
    for (let i = 0; i < 4; i++) {
      const { data } = await api.GET('/v1/admin/customers', { params: { query: cursor ? { cursor } : {} } })
      for (const u of data?.customers ?? []) names.value[u.id] = u.profile.name ? `${u.profile.name} <${u.email}>` : u.email
      if (!data?.next_cursor) break
      cursor = data.next_cursor
    }
  }
  void load()
  return { names, nameOf: (id: string) => names.value[id] ?? id }
}
