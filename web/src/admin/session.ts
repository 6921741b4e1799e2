// The admin bearer secret lives in memory only (never in storage), so a
// reload asks for it again. Accounts with 2FA replace this gate later.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export const useAdminSession = defineStore('admin-session', () => {
  const secret = ref('')
  const headers = () => ({ Authorization: `Bearer ${secret.value}` })
  return { secret, headers }
})
