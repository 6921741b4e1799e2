// The admin console's sections, grouped so the navigation holds twenty
// and more as tickets, analytics and settings arrive.
import {
  mdiAccountGroupOutline, mdiBellOutline, mdiChartBar, mdiCartOutline, mdiCashMultiple, mdiEmailEditOutline, mdiFileDocumentOutline,
  mdiCalendarAlert, mdiClockAlertOutline, mdiLifebuoy, mdiFaceAgent, mdiHomeOutline, mdiPackageVariantClosed, mdiServer, mdiShieldSearch, mdiTicketPercentOutline,
} from '@mdi/js'

import type { NavSection as Section } from '@/shared/components/SectionNav.vue'

export const groups: { title: string; sections: Section[] }[] = [
  { title: '', sections: [{ id: 'home', to: '/', title: 'Home', icon: mdiHomeOutline }] },
  {
    title: 'Customers',
    sections: [
      { id: 'customers', to: '/customers', title: 'Customers', icon: mdiAccountGroupOutline },
      { id: 'tickets', to: '/tickets', title: 'Tickets', icon: mdiLifebuoy },
    ],
  },
  {
    title: 'Sales',
    sections: [
      { id: 'orders', to: '/orders', title: 'Orders', icon: mdiCartOutline },
      { id: 'invoices', to: '/invoices', title: 'Invoices', icon: mdiFileDocumentOutline },
      { id: 'payments', to: '/payments', title: 'Payments', icon: mdiCashMultiple },
      { id: 'coupons', to: '/coupons', title: 'Coupons', icon: mdiTicketPercentOutline },
      { id: 'past-due', to: '/past-due', title: 'Past due', icon: mdiClockAlertOutline },
    ],
  },
  { title: 'Catalog', sections: [{ id: 'plans', to: '/plans', title: 'Plans', icon: mdiPackageVariantClosed }] },
  {
    title: 'Operations',
    sections: [
      { id: 'services', to: '/services', title: 'Services', icon: mdiServer },
      { id: 'bandwidth', to: '/bandwidth', title: 'Bandwidth', icon: mdiChartBar },
    ],
  },
  {
    title: 'Messages',
    sections: [
      { id: 'templates', to: '/templates', title: 'E-mail templates', icon: mdiEmailEditOutline },
      { id: 'notifications', to: '/notifications', title: 'Delivery log', icon: mdiBellOutline },
    ],
  },
  { title: 'Security', sections: [{ id: 'audit', to: '/audit', title: 'Audit log', icon: mdiShieldSearch }] },
  {
    title: 'Settings',
    sections: [
      { id: 'dunning', to: '/settings/dunning', title: 'Dunning', icon: mdiCalendarAlert },
      { id: 'helpdesk', to: '/settings/helpdesk', title: 'Helpdesk', icon: mdiFaceAgent },
    ],
  },
]
