import '@/admin/main'
