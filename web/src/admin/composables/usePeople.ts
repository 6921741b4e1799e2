// People by account id, so admin tables name customers and staff instead
// of numbering them: the newest 200 accounts are read once per page view;
// an id not among them still shows, and still links to its page. The
// staff among them feed pickers (department staff, ticket assignees).
import { ref } from 'vue'
import { api } from '@/shared/api/client'

export function usePeople() {
  const names = ref<Record<string, string>>({})
  const staff = ref<{ id: string; title: string }[]>([])
  async function load() {
    let cursor = ''
    for (let i = 0; i < 4; i++) {
      const { data } = await api.GET('/v1/admin/customers', { params: { query: cursor ? { cursor } : {} } })
      for (const u of data?.customers ?? []) {
        names.value[u.id] = u.profile.name ? `${u.profile.name} <${u.email}>` : u.email
        if (u.role !== 'customer') staff.value.push({ id: u.id, title: `${u.profile.name || u.email} (${u.role})` })
      }
      if (!data?.next_cursor) break
      cursor = data.next_cursor
    }
  }
  void load()
  return { names, staff, nameOf: (id: string) => names.value[id] ?? id }
}
