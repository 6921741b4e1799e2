import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useReturnFocus } from './useReturnFocus'

const settle = () => new Promise((r) => setTimeout(r, 5))

describe('useReturnFocus', () => {
  it('gives the focus back to what had it when the dialog opened', async () => {
    const opener = document.createElement('button')
    const inside = document.createElement('button')
    document.body.append(opener, inside)
    const open = ref(false)
    effectScope().run(() => useReturnFocus(open))
    opener.focus()
    open.value = true
    await nextTick()
    inside.focus()
    open.value = false
    await settle()
    expect(document.activeElement).toBe(opener)
  })

  it('leaves the focus alone when the opener is gone', async () => {
    const opener = document.createElement('button')
    document.body.append(opener)
    const open = ref(false)
    effectScope().run(() => useReturnFocus(open))
    opener.focus()
    open.value = true
    await nextTick()
    opener.remove()
    open.value = false
    await settle()
    expect(document.activeElement).toBe(document.body)
  })
})
