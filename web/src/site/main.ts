import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { makeVuetify } from '@/shared/vuetify'
import App from './App.vue'
import PricingPage from './pages/pricing/PricingPage.vue'

const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', component: PricingPage, meta: { title: 'Pricing' } },
    { path: '/pricing', redirect: '/' },
    { path: '/:rest(.*)', redirect: '/' },
  ],
})

createApp(App).use(makeVuetify()).use(router).mount('#app')
