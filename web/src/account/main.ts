import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { makeVuetify } from '@/shared/vuetify'
import App from './App.vue'
import AccountHome from './pages/AccountHome.vue'
import OrderSummary from './pages/OrderSummary.vue'

const router = createRouter({
  history: createWebHistory('/account/'),
  routes: [
    { path: '/', component: AccountHome },
    { path: '/order', component: OrderSummary },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

createApp(App).use(makeVuetify()).use(router).mount('#app')
