import '@/account/main'
