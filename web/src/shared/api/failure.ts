// What went wrong with an API call, in the words the API chose: its
// stable code, its sentence for people, and its field errors, so forms can
// show each next to its field. Network failures and bodies that are not
// the error envelope get a sentence of ours.
import { withFields, type Schemas } from './client'

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiFailure'
  }

  /** retryable: worth asking again for a read (the server or the network hiccupped). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500
  }
}

const fallback: Record<number, string> = {
  0: 'We could not reach EZSCALE. Check your connection and try again.',
  401: 'Your session has ended. Sign in again.',
  403: 'You are not allowed to do that.',
  404: 'We could not find that.',
  429: 'Too many requests. Wait a moment and try again.',
}

/** failureOf reads a failed response's body (openapi-fetch's error) into an ApiFailure. */
export function failureOf(error: unknown, status: number): ApiFailure {
  const body = (error as Partial<Schemas['Error']> | undefined)?.error
  if (body && typeof body.message === 'string' && body.message) {
    return new ApiFailure(withFields(body.message, body.fields), status, body.code ?? 'error', body.fields ?? {})
  }
  const message = fallback[status] ?? (status >= 500 ? 'Something went wrong on our side. Please try again in a moment.' : 'The request could not be completed.')
  return new ApiFailure(message, status, status === 0 ? 'network' : 'error')
}

/** networkFailure is what a fetch that threw becomes. */
export function networkFailure(): ApiFailure {
  return failureOf(undefined, 0)
}

/**
 * call runs an openapi-fetch request and returns its data or throws an
 * ApiFailure. A response with no body (204) gives undefined.
 */
export async function call<T>(req: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let res: { data?: T; error?: unknown; response: Response }
  try {
    res = await req
  } catch {
    throw networkFailure()
  }
  if (!res.response.ok) throw failureOf(res.error, res.response.status)
  return res.data as T
}

/** asFailure turns anything thrown into an ApiFailure (programming errors included, as a generic one). */
export function asFailure(e: unknown): ApiFailure {
  if (e instanceof ApiFailure) return e
  return new ApiFailure('Something went wrong. Please try again.', -1, 'client')
}
