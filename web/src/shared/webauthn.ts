// Browser side of passkeys. The server sends options in the WebAuthn JSON
// encoding; the browser's parse…FromJSON helpers turn them into the binary
// form, and toJSON() turns the result back.
type JSONish = Record<string, unknown>

interface PKCStatic {
  parseCreationOptionsFromJSON(o: JSONish): PublicKeyCredentialCreationOptions
  parseRequestOptionsFromJSON(o: JSONish): PublicKeyCredentialRequestOptions
}

function pkc(): PKCStatic {
  return globalThis.PublicKeyCredential as unknown as PKCStatic
}

export function passkeysSupported(): boolean {
  return typeof globalThis.PublicKeyCredential !== 'undefined' && typeof pkc().parseCreationOptionsFromJSON === 'function'
}

function publicKey(options: unknown): JSONish {
  return ((options as { publicKey?: JSONish }).publicKey ?? {}) as JSONish
}

export async function createPasskey(options: unknown): Promise<JSONish> {
  const cred = (await navigator.credentials.create({ publicKey: pkc().parseCreationOptionsFromJSON(publicKey(options)) })) as PublicKeyCredential
  return cred.toJSON() as unknown as JSONish
}

export async function getPasskey(options: unknown): Promise<JSONish> {
  const cred = (await navigator.credentials.get({ publicKey: pkc().parseRequestOptionsFromJSON(publicKey(options)) })) as PublicKeyCredential
  return cred.toJSON() as unknown as JSONish
}
