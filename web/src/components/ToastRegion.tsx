import { useEffect } from 'preact/hooks'
import { useServices } from '../services.js'

export function ToastRegion() {
  const { toasts } = useServices()
  // Escape dismisses the newest toast, wherever the focus is (a field that uses Escape itself stops it).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const newest = toasts.list.peek().at(-1)
      if (event.key === 'Escape' && newest && !event.defaultPrevented) toasts.dismiss(newest.id)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [toasts])
  return (
    <div class="toasts">
      {toasts.list.value.map((toast) => (
        <div key={toast.id} role="status" class={`toast toast--${toast.tone}`}>
          <span>{toast.text}</span>
          <button type="button" class="toast__close" aria-label="Dismiss" onClick={() => toasts.dismiss(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
