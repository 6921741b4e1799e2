import type { Cycle, ServiceType } from '@/shared/api/client'

export const serviceTypes: { value: ServiceType; label: string }[] = [
  { value: 'vps', label: 'VPS' },
  { value: 'dedicated', label: 'Dedicated' },
  { value: 'hosting', label: 'Web Hosting' },
  { value: 'game_server', label: 'Game Servers' },
]

export const cycles: { value: Cycle; label: string; per: string }[] = [
  { value: 'monthly', label: 'Monthly', per: 'month' },
  { value: 'quarterly', label: 'Quarterly', per: 'quarter' },
  { value: 'semi_annual', label: 'Semi-annual', per: '6 months' },
  { value: 'annual', label: 'Annual', per: 'year' },
]

export const extraLabels: Record<string, string> = {
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  virtualization: 'Virtualization',
  backups: 'Backups',
  cpu_model: 'CPU',
  operating_systems: 'Operating systems',
  raid: 'RAID',
  uplink: 'Uplink',
  ddos_protection: 'DDoS protection',
  websites: 'Websites',
  databases: 'Databases',
  email_accounts: 'E-mail accounts',
  ssl: 'SSL',
  games: 'Games',
  slots: 'Player slots',
}

/** formatSize renders megabytes or gigabytes the way hosts advertise them. */
export function formatGB(gb: number): string {
  return gb >= 1000 && gb % 1000 === 0 ? `${gb / 1000} TB` : `${gb} GB`
}
