// The one typed API client. Types come from shared/openapi/openapi.yaml via
// `npm run gen:api`; a test fails when schema.d.ts is stale.
import createClient from 'openapi-fetch'
import type { components, paths } from './schema'

export type Schemas = components['schemas']
export type PublicListing = Schemas['PublicListing']
export type PublicPlan = Schemas['PublicPlan']
export type ServiceType = Schemas['ServiceType']
export type Cycle = Schemas['Cycle']
export type ApiError = Schemas['Error']

// Same origin by default (the local stack and CloudFront both serve /v1).
// An absolute base: fetch's Request refuses relative URLs outside browsers.
const baseUrl = (import.meta.env.VITE_API_BASE as string | undefined) ?? globalThis.location.origin

// fetch is looked up per call, so tests (and polyfills) can replace it.
export const api = createClient<paths>({ baseUrl, credentials: 'include', fetch: (req: Request) => globalThis.fetch(req) })

// The session's CSRF token: kept in memory from sign-in and /v1/me answers,
// falling back to the ezs_csrf cookie (same-origin deployments).
let csrfToken = ''
export function setCSRFToken(token: string) {
  csrfToken = token
}
function csrfFromCookie(): string {
  const m = /(?:^|;\s*)ezs_csrf=([^;]+)/.exec(globalThis.document?.cookie ?? '')
  return m?.[1] ? decodeURIComponent(m[1]) : ''
}
api.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = csrfToken || csrfFromCookie()
      if (token) request.headers.set('X-CSRF-Token', token)
    }
    return request
  },
})

/**
 * errorMessage turns an API error body into a sentence for the user. A
 * validation failure's own words are in its field errors, so they are
 * spelled out ("currency: your account is billed in USD") for forms that
 * have no field to show them by.
 */
export function errorMessage(err: unknown, fallback = 'Something went wrong. Please try again.'): string {
  const e = (err as Partial<ApiError> | undefined)?.error
  if (!e?.message) return fallback
  return withFields(e.message, e.fields)
}

/**
 * formMessage is errorMessage for a form that shows field errors next to
 * its fields (those named in shown, or under them: "options" covers
 * "options.hostname"): it spells out only the rest, and otherwise asks to
 * check the highlighted fields, so nothing is said twice.
 */
export function formMessage(err: unknown, shown: string[]): string {
  const e = (err as Partial<ApiError> | undefined)?.error
  if (!e?.message) return errorMessage(err)
  const isShown = (k: string) => shown.some((s) => k === s || k.startsWith(s + '.') || k.startsWith(s + '['))
  const rest = Object.fromEntries(Object.entries(e.fields ?? {}).filter(([k]) => !isShown(k)))
  if (e.message === 'the request has invalid fields' && Object.keys(e.fields ?? {}).length && !Object.keys(rest).length) return 'Check the highlighted fields.'
  return withFields(e.message, rest)
}

/** withFields adds field errors to the API's generic "invalid fields" sentence. */
export function withFields(message: string, fields: Record<string, string> | undefined): string {
  const entries = Object.entries(fields ?? {})
  if (!entries.length || message !== 'the request has invalid fields') return message
  return entries.map(([k, v]) => `${k.replace(/[._]/g, ' ')}: ${v}`).join('; ')
}
