import { signal } from '@preact/signals'

export interface Toast {
  id: number
  text: string
  tone: 'info' | 'warning'
}

const TOAST_MS = 4500
const MAX_TOASTS = 4

/** Short notices (joins, leaves, copied links) that go away by themselves. */
export function createToasts() {
  const list = signal<readonly Toast[]>([])
  let nextId = 1
  function dismiss(id: number): void {
    list.value = list.value.filter((toast) => toast.id !== id)
  }
  function show(text: string, tone: Toast['tone'] = 'info'): void {
    const toast = { id: nextId++, text, tone }
    list.value = [...list.value, toast].slice(-MAX_TOASTS)
    setTimeout(() => dismiss(toast.id), TOAST_MS)
  }
  return { list, show, dismiss }
}

export type Toasts = ReturnType<typeof createToasts>
