import type { PublicUser } from '@hangout/protocol'
import { batch, type Signal } from '@preact/signals'
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { RoomConnection } from '@hangout/client'
import { PAGES, pageOfProduct, productsOnPage } from '../products.js'
import type { RoomStore } from '../roomStore.js'
import { throttle } from '../throttle.js'
import { Pointers } from './Pointers.js'
import { ProductCard } from './ProductCard.js'

/** At most 20 scroll updates a second leave this client. */
export const SCROLL_INTERVAL_MS = 50

interface CatalogProps {
  store: RoomStore
  connection: RoomConnection
  /** Whether this view follows the room (page and scroll) or browses alone. */
  following: Signal<boolean>
  /** The page shown while browsing alone. */
  ownPage: Signal<number>
}

/** The fraction of its scrollable height an element is scrolled to, 0 when it cannot scroll. */
function scrollFraction(element: HTMLElement): number {
  const max = element.scrollHeight - element.clientHeight
  return max > 0 ? Math.min(1, Math.max(0, element.scrollTop / max)) : 0
}

export function Catalog({ store, connection, following, ownPage }: CatalogProps) {
  const region = useRef<HTMLElement>(null)
  /** The scrollTop this code set last: the scroll event it causes is not the user's, so it is not sent. */
  const appliedTop = useRef<number | null>(null)
  const follow = following.value
  const page = follow ? store.page.value : ownPage.value
  const roomTop = store.top.value
  const sendScroll = useMemo(() => throttle((top: number) => void connection.scroll(top), SCROLL_INTERVAL_MS), [connection])
  useEffect(() => () => sendScroll.cancel(), [sendScroll])
  // Pointers leave as often as scrolls (the gateway coalesces them to 20/s per user anyway).
  const sendPointer = useMemo(
    () => throttle(([x, y]: [number, number]) => void connection.pointer(x, y), SCROLL_INTERVAL_MS),
    [connection],
  )
  useEffect(() => () => sendPointer.cancel(), [sendPointer])
  /** The scrolled content (the grid and the pointers over it), whose size places the pointers. */
  const content = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ width: 0, height: 0 })
  useEffect(() => {
    const element = content.current
    if (!element || typeof ResizeObserver === 'undefined') return
    const measure = () => setSize({ width: element.offsetWidth, height: element.offsetHeight })
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    measure()
    return () => observer.disconnect()
  }, [])

  function onPointerMove(event: PointerEvent) {
    const element = content.current
    // Only a view that shows the room's page points at what the others see; a finger is not a pointer.
    if (!element || !following.peek() || event.pointerType === 'touch') return
    const box = element.getBoundingClientRect()
    const fraction = (at: number, length: number) => Math.min(1, Math.max(0, at / Math.max(length, 1)))
    sendPointer([fraction(event.clientX - box.left, box.width), fraction(event.clientY - box.top, box.height)])
  }

  // Following: show the room's scroll position (after the page it belongs to has rendered).
  useLayoutEffect(() => {
    const element = region.current
    if (!follow || !element) return
    const target = Math.round(roomTop * Math.max(element.scrollHeight - element.clientHeight, 0))
    if (Math.abs(element.scrollTop - target) >= 1) {
      sendScroll.cancel()
      element.scrollTop = target
    }
    appliedTop.current = element.scrollTop
  }, [follow, roomTop, page, sendScroll])

  function onScroll() {
    const element = region.current
    if (!element) return
    const applied = appliedTop.current
    appliedTop.current = null
    if (applied !== null && Math.abs(element.scrollTop - applied) <= 1) return
    if (!following.peek()) return
    const top = scrollFraction(element)
    store.top.value = top
    sendScroll(top)
  }

  function choosePage(next: number) {
    if (!following.peek()) {
      ownPage.value = next
      if (region.current) region.current.scrollTop = 0
      return
    }
    if (next === store.page.peek()) return
    sendScroll.cancel()
    batch(() => {
      store.page.value = next
      store.top.value = 0
    })
    void connection.page(next)
    void connection.scroll(0)
  }

  function pick(productId: number) {
    store.highlightMine(productId)
    void connection.click(productId)
  }

  const highlighters = new Map<number, PublicUser[]>()
  const people = new Map(store.participants.value.map((user) => [user.id, user]))
  for (const [userId, productId] of Object.entries(store.highlights.value)) {
    const user = people.get(userId) ?? (userId === store.me.id ? store.me : undefined)
    if (user) highlighters.set(productId, [...(highlighters.get(productId) ?? []), user])
  }
  const highlightsOnPage = (onPage: number) =>
    [...highlighters.entries()].filter(([productId]) => pageOfProduct(productId) === onPage).flatMap(([, users]) => users)

  return (
    <section class="catalog" aria-labelledby="catalog-title">
      <div class="catalog__head">
        <h2 id="catalog-title">Shop together</h2>
        <nav class="pages" aria-label="Catalog pages">
          {PAGES.map((number) => (
            <button
              key={number}
              type="button"
              class="pages__button"
              aria-current={number === page ? 'page' : undefined}
              onClick={() => choosePage(number)}
            >
              Page {number}
              <span class="pages__marks" aria-hidden="true">
                {highlightsOnPage(number).map((user) => (
                  <span key={user.id} class="pages__mark" style={{ backgroundColor: store.colorOf(user.id) }} />
                ))}
              </span>
            </button>
          ))}
        </nav>
      </div>
      <section
        ref={region}
        class="catalog__scroll"
        aria-label="Catalog"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable to scroll it with the keyboard
        tabIndex={0}
        onScroll={onScroll}
        onPointerMove={onPointerMove}
      >
        <div ref={content} class="catalog__content">
          <ul class="catalog__grid">
            {productsOnPage(page).map((product) => (
              <ProductCard
                key={product.id}
                product={product}
                highlighters={highlighters.get(product.id) ?? []}
                meId={store.me.id}
                colorOf={store.colorOf}
                onPick={pick}
              />
            ))}
          </ul>
          {follow && <Pointers store={store} width={size.width} height={size.height} />}
        </div>
      </section>
    </section>
  )
}
