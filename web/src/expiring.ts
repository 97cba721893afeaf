import { signal } from '@preact/signals'

/**
 * Things shown for a moment unless renewed (who is typing, where a pointer is): each key's value
 * goes away `ms` after it was last put, or at once when removed.
 */
export function createExpiring<T>(ms: number) {
  const items = signal<ReadonlyMap<string, T>>(new Map())
  const timers = new Map<string, ReturnType<typeof setTimeout>>()

  function remove(key: string): void {
    clearTimeout(timers.get(key))
    timers.delete(key)
    if (!items.peek().has(key)) return
    const next = new Map(items.peek())
    next.delete(key)
    items.value = next
  }

  function put(key: string, value: T): void {
    clearTimeout(timers.get(key))
    timers.set(
      key,
      setTimeout(() => remove(key), ms),
    )
    items.value = new Map(items.peek()).set(key, value)
  }

  function clear(): void {
    for (const timer of timers.values()) clearTimeout(timer)
    timers.clear()
    items.value = new Map()
  }

  return { items, put, remove, clear }
}
