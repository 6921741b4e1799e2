// The signed-in user for every app. The session itself is an HttpOnly
// cookie; this module only remembers who the server says we are.
import { ref } from 'vue'
import { api, errorMessage, formMessage, setCSRFToken, type Schemas } from '@/shared/api/client'
import { getPasskey } from '@/shared/webauthn'

export type Me = Schemas['Me']
export const me = ref<Me | null>(null)
export const loaded = ref(false)

/** loadMe asks the server who is signed in (null when nobody is). */
export async function loadMe(): Promise<Me | null> {
  const { data, response } = await api.GET('/v1/me')
  loaded.value = true
  if (data) {
    me.value = data
    setCSRFToken(data.csrf_token)
  } else if (response.status === 401 || response.status === 403) {
    me.value = null
  }
  return me.value
}

export type SignInStep = { ok: true; secondFactor: boolean } | { ok: false; message: string; fields: Record<string, string> }

function failed(e: unknown): SignInStep {
  const err = e as Schemas['Error'] | undefined
  return { ok: false, message: formMessage(e, ['email', 'password', 'code']), fields: err?.error.fields ?? {} }
}

export async function signIn(email: string, password: string): Promise<SignInStep> {
  const { data, error } = await api.POST('/v1/auth/login', { body: { email, password } })
  if (error || !data) return failed(error)
  setCSRFToken(data.csrf_token)
  if (data.status === 'second_factor_required') return { ok: true, secondFactor: true }
  await loadMe()
  return { ok: true, secondFactor: false }
}

export async function secondFactor(code: string): Promise<SignInStep> {
  const { data, error } = await api.POST('/v1/auth/second-factor', { body: { code } })
  if (error || !data) return failed(error)
  setCSRFToken(data.csrf_token)
  await loadMe()
  return { ok: true, secondFactor: false }
}

export async function signOut(everywhere = false) {
  if (everywhere) await api.POST('/v1/auth/logout-everywhere')
  else await api.POST('/v1/auth/logout')
  me.value = null
  setCSRFToken('')
}

/** signInWithPasskey runs a passwordless sign-in with a discoverable passkey. */
export async function signInWithPasskey(): Promise<SignInStep> {
  const { data: opts, error } = await api.POST('/v1/auth/passkey/options')
  if (error || !opts) return failed(error)
  let credential: Record<string, unknown>
  try {
    credential = await getPasskey(opts.options)
  } catch {
    return { ok: false, message: 'The passkey sign-in was cancelled or failed.', fields: {} }
  }
  const { data, error: e } = await api.POST('/v1/auth/passkey', { body: { ceremony_id: opts.ceremony_id, credential } })
  if (e || !data) return failed(e)
  setCSRFToken(data.csrf_token)
  await loadMe()
  return { ok: true, secondFactor: false }
}
