import { artSpec } from '../productArt.js'

/** The drawn placeholder of a product: shapes and colours from its id, so it ships with the app. */
export function ProductArt({ productId }: { productId: number }) {
  const art = artSpec(productId)
  return (
    <svg class="product__art" viewBox="0 0 100 75" aria-hidden="true" focusable="false">
      <rect width="100" height="75" fill={art.background} />
      {art.dots.map(([x, y, r]) => (
        <circle key={`${x}-${y}`} cx={x} cy={y} r={r} fill={art.accent} opacity="0.18" />
      ))}
      {art.shape === 'circle' && <circle cx="50" cy="38" r="20" fill={art.accent} />}
      {art.shape === 'square' && <rect x="31" y="19" width="38" height="38" rx="7" fill={art.accent} />}
      {art.shape === 'triangle' && <path d="M50 15 L73 58 L27 58 Z" fill={art.accent} />}
      {art.shape === 'diamond' && <path d="M50 14 L74 38 L50 62 L26 38 Z" fill={art.accent} />}
      <ellipse cx="50" cy="66" rx="22" ry="3" fill="#000" opacity="0.08" />
    </svg>
  )
}
