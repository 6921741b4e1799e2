import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { makeVuetify } from '@/shared/vuetify'
import { loadMe, loaded, me } from '@/shared/auth'
import App from './App.vue'
import DashboardPage from './pages/DashboardPage.vue'
import ServicesPage from './pages/services/ServicesPage.vue'
import ServicePage from './pages/services/ServicePage.vue'
import BillingPage from './pages/billing/BillingPage.vue'
import ProfilePage from './pages/profile/ProfilePage.vue'
import SecurityPage from './pages/security/SecurityPage.vue'
import TokensPage from './pages/TokensPage.vue'
import TicketsPage from './pages/support/TicketsPage.vue'
import TicketPage from './pages/support/TicketPage.vue'
import OrderSummary from './pages/OrderSummary.vue'
import OrderPage from './pages/order/OrderPage.vue'
import LoginPage from './pages/auth/LoginPage.vue'
import RegisterPage from './pages/auth/RegisterPage.vue'
import VerifyPage from './pages/auth/VerifyPage.vue'
import ForgotPage from './pages/auth/ForgotPage.vue'
import ResetPage from './pages/auth/ResetPage.vue'

const signedIn = { requiresAuth: true }
const router = createRouter({
  history: createWebHistory('/account/'),
  routes: [
    { path: '/', component: DashboardPage, meta: { title: 'Dashboard' } },
    { path: '/services', component: ServicesPage, meta: { ...signedIn, title: 'Services' } },
    { path: '/services/:id', component: ServicePage, meta: { ...signedIn, title: 'Service' } },
    { path: '/billing', component: BillingPage, meta: { ...signedIn, title: 'Billing' } },
    { path: '/profile', component: ProfilePage, meta: { ...signedIn, title: 'Account' } },
    { path: '/security', component: SecurityPage, meta: { ...signedIn, title: 'Security' } },
    { path: '/tokens', component: TokensPage, meta: { ...signedIn, title: 'API tokens' } },
    { path: '/support', component: TicketsPage, meta: { ...signedIn, title: 'Support' } },
    { path: '/support/:id', component: TicketPage, meta: { ...signedIn, title: 'Ticket' } },
    { path: '/login', component: LoginPage, meta: { title: 'Sign in' } },
    { path: '/register', component: RegisterPage, meta: { title: 'Create an account' } },
    { path: '/verify', component: VerifyPage, meta: { title: 'Confirm your e-mail' } },
    { path: '/forgot', component: ForgotPage, meta: { title: 'Forgot password' } },
    { path: '/reset', component: ResetPage, meta: { title: 'Reset password' } },
    { path: '/order', component: OrderSummary, meta: { title: 'Your order' } },
    { path: '/orders/:id', component: OrderPage, meta: { ...signedIn, title: 'Order' } },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

// Sections need a signed-in customer: ask the server once, and send
// anyone else to sign in, coming back here afterwards.
router.beforeEach(async (to) => {
  if (!loaded.value) await loadMe()
  if (to.meta.requiresAuth && !me.value) return { path: '/login', query: { next: to.fullPath } }
})
router.afterEach((to) => {
  document.title = `${(to.meta.title as string | undefined) ?? 'Account'} · EZSCALE`
})

createApp(App).use(makeVuetify()).use(router).mount('#app')
