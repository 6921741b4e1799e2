import '@/site/main'
