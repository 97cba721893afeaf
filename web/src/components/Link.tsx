import type { ComponentChildren } from 'preact'
import { useServices } from '../services.js'

/** An in-app link: a real `<a href>` (open in a new tab works) that navigates without a page load. */
export function Link({ href, children, class: className }: { href: string; children: ComponentChildren; class?: string }) {
  const { router } = useServices()
  return (
    <a
      href={href}
      class={className}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
        event.preventDefault()
        router.navigate(href)
      }}
    >
      {children}
    </a>
  )
}
