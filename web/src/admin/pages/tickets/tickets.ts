// Words and colours of the console's support pages.
export const statusLabel: Record<string, string> = { open: 'Open', in_progress: 'In progress', waiting_on_customer: 'Waiting on customer', closed: 'Closed' }
export const statusColor: Record<string, string> = { open: 'info', in_progress: 'primary', waiting_on_customer: 'warning', closed: 'default' }
export const priorityColor: Record<string, string> = { low: 'default', medium: 'info', high: 'warning', urgent: 'error' }
export const reference = (n: number) => `EZSCALE-${n}`
