import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { createRouter, createWebHistory } from 'vue-router'
import { makeVuetify } from '@/shared/vuetify'
import App from './App.vue'
import PlansPage from './pages/plans/PlansPage.vue'
import PlanEditorPage from './pages/plans/PlanEditorPage.vue'
import TemplatesPage from './pages/templates/TemplatesPage.vue'
import NotificationsPage from './pages/notifications/NotificationsPage.vue'
import CustomersPage from './pages/customers/CustomersPage.vue'
import CustomerPage from './pages/customers/CustomerPage.vue'
import AuditPage from './pages/audit/AuditPage.vue'
import InvoicesPage from './pages/invoices/InvoicesPage.vue'
import CouponsPage from './pages/coupons/CouponsPage.vue'
import OrdersPage from './pages/orders/OrdersPage.vue'
import PaymentsPage from './pages/payments/PaymentsPage.vue'
import ServicesPage from './pages/services/ServicesPage.vue'
import BandwidthPage from './pages/bandwidth/BandwidthPage.vue'
import HomePage from './pages/home/HomePage.vue'
import DunningPage from './pages/settings/DunningPage.vue'
import PastDuePage from './pages/dunning/PastDuePage.vue'
import TicketsPage from './pages/tickets/TicketsPage.vue'
import TicketPage from './pages/tickets/TicketPage.vue'
import HelpdeskPage from './pages/settings/HelpdeskPage.vue'

const router = createRouter({
  history: createWebHistory('/admin/'),
  routes: [
    { path: '/', component: HomePage, meta: { title: 'Home' } },
    { path: '/plans', component: PlansPage },
    { path: '/plans/:id', component: PlanEditorPage },
    { path: '/templates/:kind?', component: TemplatesPage },
    { path: '/notifications', component: NotificationsPage },
    { path: '/customers', component: CustomersPage },
    { path: '/customers/:id', component: CustomerPage, meta: { remount: true } },
    { path: '/audit', component: AuditPage },
    { path: '/settings/dunning', component: DunningPage },
    { path: '/settings/helpdesk', component: HelpdeskPage, meta: { title: 'Helpdesk' } },
    { path: '/past-due', component: PastDuePage },
    { path: '/invoices', component: InvoicesPage },
    { path: '/coupons', component: CouponsPage },
    { path: '/orders', component: OrdersPage },
    { path: '/payments', component: PaymentsPage },
    { path: '/services', component: ServicesPage },
    { path: '/bandwidth', component: BandwidthPage, meta: { title: 'Bandwidth' } },
    { path: '/tickets', component: TicketsPage, meta: { title: 'Tickets' } },
    { path: '/tickets/:id', component: TicketPage, meta: { title: 'Ticket', remount: true } },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

createApp(App).use(createPinia()).use(makeVuetify()).use(router).mount('#app')
