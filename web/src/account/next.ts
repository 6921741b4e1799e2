// Where to go after signing in: only paths inside the account app, never
// another origin ("//evil.example" and "https://…" are refused).
export function safeNext(raw: unknown): string {
  const s = typeof raw === 'string' ? raw : ''
  return s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\') ? s : '/'
}
