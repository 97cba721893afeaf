import { useEffect } from 'preact/hooks'

/** Names the browser tab after the screen: "<title> · Hangout". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Hangout`
  }, [title])
}
