import type { PublicUser } from '@hangout/protocol'
import { formatPrice, type Product } from '../products.js'
import { ProductArt } from './ProductArt.js'

interface ProductCardProps {
  product: Product
  /** Whose highlights are on this product. */
  highlighters: readonly PublicUser[]
  meId: string
  colorOf(userId: string): string
  onPick(productId: number): void
}

/**
 * One product. The button holds only the product's name (its accessible name is its visible
 * text), and covers the card through a stretched ::after; price, blurb and who highlighted it
 * describe it. "Pressed" is the reader's own highlight only: others' are announced by name.
 */
export function ProductCard({ product, highlighters, meId, colorOf, onPick }: ProductCardProps) {
  const highlighted = highlighters.length > 0
  const mine = highlighters.some((user) => user.id === meId)
  const first = highlighters.find((user) => user.id === meId) ?? highlighters[0]
  const describedBy = `product-${product.id}-details`
  return (
    <li
      class={highlighted ? 'product product--highlighted' : 'product'}
      style={first ? { '--highlight': colorOf(first.id) } : undefined}
    >
      <ProductArt productId={product.id} />
      <button
        type="button"
        class="product__pick"
        aria-pressed={mine ? 'true' : 'false'}
        aria-describedby={describedBy}
        onClick={() => onPick(product.id)}
      >
        {product.name}
      </button>
      <span id={describedBy} class="product__details">
        <span class="product__price">{formatPrice(product.price)}</span>
        <span class="product__blurb">{product.blurb}</span>
        {highlighted && (
          <span class="product__by">
            <span class="sr-only">Highlighted by </span>
            {highlighters.map((user) => (
              <span key={user.id} class="chip" style={{ backgroundColor: colorOf(user.id) }}>
                {user.id === meId ? 'You' : user.name}
              </span>
            ))}
          </span>
        )}
      </span>
    </li>
  )
}
