import { productById } from '../products.js'
import type { RoomStore } from '../roomStore.js'

/** Who highlighted what, each in their colour: the key to the rings on the catalog. */
export function HighlightLegend({ store }: { store: RoomStore }) {
  const people = [store.me, ...store.participants.value.filter((user) => user.id !== store.me.id)]
  const highlights = store.highlights.value
  const picks = people.flatMap((user) => {
    const productId = highlights[user.id]
    const product = productId === undefined ? undefined : productById(productId)
    return product ? [{ user, product }] : []
  })
  if (picks.length === 0) return null
  return (
    <section class="legend" aria-labelledby="legend-title">
      <h2 id="legend-title" class="legend__title">
        Highlights
      </h2>
      <ul class="legend__list">
        {picks.map(({ user, product }) => (
          <li key={user.id} class="legend__item">
            <span class="legend__swatch" aria-hidden="true" style={{ backgroundColor: store.colorOf(user.id) }} />
            <span class="legend__who" style={{ color: store.colorOf(user.id) }}>
              {user.id === store.me.id ? 'You' : user.name}
            </span>
            : {product.name}
          </li>
        ))}
      </ul>
    </section>
  )
}
