// useReturnFocus gives the focus back to whatever had it when a dialog
// opened (the link or button that opened it), once the dialog closes.
// Vuetify does this only for dialogs with an activator slot; dialogs
// opened from a table row or a computed state need it said.
import { nextTick, watch, type WatchSource } from 'vue'

export function useReturnFocus(open: WatchSource<boolean>) {
  let before: HTMLElement | null = null
  watch(open, async (now, was) => {
    if (now && !was) before = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!now && was && before) {
      const el = before
      before = null
      await nextTick()
      // The overlay finishes its leave transition first; then the element
      // may take the focus back (if it is still on the page).
      setTimeout(() => el.isConnected && el.focus(), 0)
    }
  })
}
