import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { makeVuetify } from '@/shared/vuetify'
import App from './App.vue'
import AccountHome from './pages/AccountHome.vue'
import OrderSummary from './pages/OrderSummary.vue'
import OrderPage from './pages/order/OrderPage.vue'
import ServicePage from './pages/services/ServicePage.vue'
import LoginPage from './pages/auth/LoginPage.vue'
import RegisterPage from './pages/auth/RegisterPage.vue'
import VerifyPage from './pages/auth/VerifyPage.vue'
import ForgotPage from './pages/auth/ForgotPage.vue'
import ResetPage from './pages/auth/ResetPage.vue'

const router = createRouter({
  history: createWebHistory('/account/'),
  routes: [
    { path: '/', component: AccountHome },
    { path: '/login', component: LoginPage },
    { path: '/register', component: RegisterPage },
    { path: '/verify', component: VerifyPage },
    { path: '/forgot', component: ForgotPage },
    { path: '/reset', component: ResetPage },
    { path: '/order', component: OrderSummary },
    { path: '/orders/:id', component: OrderPage },
    { path: '/services/:id', component: ServicePage },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

createApp(App).use(makeVuetify()).use(router).mount('#app')
