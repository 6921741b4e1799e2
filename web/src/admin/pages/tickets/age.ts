// Open tickets by how long they have been open, for the console's home.
export type Aged = { status: string; created_at: string; last_reply_by?: string }

export const buckets = [
  { id: 'hours', label: 'Under 4 hours', maxHours: 4 },
  { id: 'day', label: '4 to 24 hours', maxHours: 24 },
  { id: 'days', label: '1 to 3 days', maxHours: 72 },
  { id: 'older', label: 'Over 3 days', maxHours: Infinity },
] as const

/** byAge counts the tickets not closed in each age bucket, and how many of each wait on us (the customer wrote last). */
export function byAge(tickets: Aged[], now: Date) {
  const out = buckets.map((b) => ({ ...b, count: 0, onUs: 0 }))
  for (const t of tickets) {
    if (t.status === 'closed') continue
    const hours = (now.getTime() - new Date(t.created_at).getTime()) / 3_600_000
    const b = out.find((x) => hours < x.maxHours)!
    b.count++
    if (t.status !== 'waiting_on_customer') b.onUs++
  }
  return out
}
