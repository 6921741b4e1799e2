import { describe, expect, it } from 'vitest'
import { ApiFailure, asFailure, call, failureOf } from './failure'
import { formMessage } from './client'

describe('failureOf', () => {
  it('keeps the API’s own words and field errors', () => {
    const f = failureOf({ error: { code: 'invalid', message: 'your account is billed in USD', fields: { currency: 'must be USD' } } }, 400)
    expect(f.message).toBe('your account is billed in USD')
    expect(f.code).toBe('invalid')
    expect(f.fields).toEqual({ currency: 'must be USD' })
    expect(f.retryable).toBe(false)
  })
  it('spells out field errors behind the generic validation sentence', () => {
    const f = failureOf({ error: { code: 'invalid', message: 'the request has invalid fields', fields: { currency: 'your account is billed in USD' } } }, 400)
    expect(f.message).toBe('currency: your account is billed in USD')
    expect(f.fields).toEqual({ currency: 'your account is billed in USD' })
  })
  it.each([
    [0, 'We could not reach EZSCALE', true],
    [502, 'Something went wrong on our side', true],
    [429, 'Too many requests', true],
    [404, 'We could not find that', false],
  ])('explains a bare %i', (status, start, retryable) => {
    const f = failureOf('<html>bad gateway</html>', status)
    expect(f.message.startsWith(start)).toBe(true)
    expect(f.retryable).toBe(retryable)
  })
})

describe('call', () => {
  const response = (status: number) => new Response(null, { status: status === 204 ? 204 : status })
  it('returns data', async () => {
    await expect(call(Promise.resolve({ data: { a: 1 }, response: response(200) }))).resolves.toEqual({ a: 1 })
  })
  it('throws the API’s failure', async () => {
    const err = { error: { code: 'conflict', message: 'only a failed service can be retried' } }
    await expect(call(Promise.resolve({ error: err, response: response(409) }))).rejects.toMatchObject({ status: 409, message: 'only a failed service can be retried' })
  })
  it('turns a network error into a retryable failure', async () => {
    const f = await call(Promise.reject(new TypeError('fetch failed'))).catch((e) => e)
    expect(f).toBeInstanceOf(ApiFailure)
    expect(f.retryable).toBe(true)
  })
  it('never shows a programming error’s text', () => {
    expect(asFailure(new TypeError('x is undefined')).message).toBe('Something went wrong. Please try again.')
  })
})

describe('formMessage', () => {
  const err = (fields: Record<string, string>) => ({ error: { code: 'invalid', message: 'the request has invalid fields', fields } })
  it('says nothing twice: shown fields are highlighted, the rest spelled out', () => {
    expect(formMessage(err({ 'options.hostname': 'must be a host name' }), ['options'])).toBe('Check the highlighted fields.')
    expect(formMessage(err({ 'options.hostname': 'must be a host name', currency: 'your account is billed in USD' }), ['options'])).toBe(
      'currency: your account is billed in USD',
    )
  })
  it('keeps any other message as the API wrote it', () => {
    expect(formMessage({ error: { code: 'conflict', message: 'this coupon is used up' } }, ['code'])).toBe('this coupon is used up')
  })
})
