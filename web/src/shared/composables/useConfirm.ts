// One confirmation for every destructive or irreversible action in both
// apps: the caller names the action ("Stop server", not "OK"), says what
// will happen, and may require a reason (recorded in the audit trail).
// ConfirmDialog, mounted once per app, shows the current request.
import { shallowRef } from 'vue'

export interface ConfirmRequest {
  /** title in title case, naming the action: "Suspend Service". */
  title: string
  /** body says what will happen and whether it can be undone. */
  body: string
  /** action is the confirming button's label: "Suspend service". */
  action: string
  /** destructive colours the action as a danger and focuses Cancel first. */
  destructive?: boolean
  /** reason, when set, is the label of a required text field. */
  reason?: string
}

export type ConfirmAnswer = { confirmed: true; reason: string } | { confirmed: false }

interface Pending extends ConfirmRequest {
  answer: (a: ConfirmAnswer) => void
}

export const pendingConfirm = shallowRef<Pending | null>(null)

/** confirm asks, and resolves when the person answers (a new request cancels an open one). */
export function confirm(req: ConfirmRequest): Promise<ConfirmAnswer> {
  pendingConfirm.value?.answer({ confirmed: false })
  return new Promise((resolve) => {
    pendingConfirm.value = {
      ...req,
      answer: (a) => {
        pendingConfirm.value = null
        resolve(a)
      },
    }
  })
}
