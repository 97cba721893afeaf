import { useServices } from '../services.js'

export function ToastRegion() {
  const { toasts } = useServices()
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
