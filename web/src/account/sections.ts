// The account app's sections, in navigation order.
import { mdiAccountCircleOutline, mdiKeyVariant, mdiLifebuoy, mdiReceiptTextOutline, mdiServer, mdiShieldLockOutline, mdiViewDashboardOutline } from '@mdi/js'

export const sections = [
  { id: 'dashboard', to: '/', title: 'Dashboard', icon: mdiViewDashboardOutline },
  { id: 'services', to: '/services', title: 'Services', icon: mdiServer },
  { id: 'billing', to: '/billing', title: 'Billing', icon: mdiReceiptTextOutline },
  { id: 'support', to: '/support', title: 'Support', icon: mdiLifebuoy },
  { id: 'account', to: '/profile', title: 'Account', icon: mdiAccountCircleOutline },
  { id: 'security', to: '/security', title: 'Security', icon: mdiShieldLockOutline },
  { id: 'tokens', to: '/tokens', title: 'API tokens', icon: mdiKeyVariant },
] as const
