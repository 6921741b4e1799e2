// usePlans loads the public listing for the current service type, currency
// and cycle, refetching when any of them changes. A stale response (the
// visitor clicked again before it arrived) is dropped.
import { ref, watch, type Ref } from 'vue'
import { api, errorMessage, type Cycle, type PublicListing, type ServiceType } from '@/shared/api/client'

export function usePlans(serviceType: Ref<ServiceType>, currency: Ref<string>, cycle: Ref<Cycle>) {
  const listing = ref<PublicListing | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const { data, error: apiError } = await api.GET('/v1/plans', {
        params: { query: { service_type: serviceType.value, currency: currency.value, cycle: cycle.value } },
      })
      if (mine !== seq) return
      if (apiError || !data) {
        error.value = errorMessage(apiError, 'Prices could not be loaded.')
        return
      }
      listing.value = data
    } catch {
      if (mine === seq) error.value = 'Prices could not be loaded. Check your connection and try again.'
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch([serviceType, currency, cycle], load, { immediate: true })
  return { listing, loading, error, reload: load }
}
