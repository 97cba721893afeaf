import type { PublicUser } from '@hangout/protocol'
import { formatPrice, type Product } from '../products.js'
import { userColor } from '../userColor.js'
import { ProductArt } from './ProductArt.js'

interface ProductCardProps {
  product: Product
  /** Whose highlights are on this product. */
  highlighters: readonly PublicUser[]
  meId: string
  onPick(productId: number): void
}

export function ProductCard({ product, highlighters, meId, onPick }: ProductCardProps) {
  const pressed = highlighters.length > 0
  const first = highlighters[0]
  const describedBy = `product-${product.id}-details`
  return (
    <li class="catalog__cell">
      <button
        type="button"
        class={pressed ? 'product product--highlighted' : 'product'}
        aria-pressed={pressed ? 'true' : 'false'}
        aria-label={product.name}
        aria-describedby={describedBy}
        style={first ? { '--highlight': userColor(first.id) } : undefined}
        onClick={() => onPick(product.id)}
      >
        <ProductArt productId={product.id} />
        <span class="product__name" aria-hidden="true">
          {product.name}
        </span>
        <span id={describedBy} class="product__details">
          <span class="product__price">{formatPrice(product.price)}</span>
          <span class="product__blurb">{product.blurb}</span>
          {pressed && (
            <span class="product__by">
              <span class="sr-only">Highlighted by </span>
              {highlighters.map((user) => (
                <span key={user.id} class="chip" style={{ backgroundColor: userColor(user.id) }}>
                  {user.id === meId ? 'You' : user.name}
                </span>
              ))}
            </span>
          )}
        </span>
      </button>
    </li>
  )
}
