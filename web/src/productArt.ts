/** What a product's drawn placeholder looks like, derived from its id alone, so every client draws the same. */
export type ArtShape = 'circle' | 'square' | 'triangle' | 'diamond'
const SHAPES: ArtShape[] = ['circle', 'square', 'triangle', 'diamond']

export interface ArtSpec {
  background: string
  accent: string
  shape: ArtShape
  /** Small dots scattered over the background: [x, y, r] in a 100×75 box. */
  dots: [number, number, number][]
}

/** A small deterministic pseudo-random sequence (mulberry32) seeded by the product id. */
function sequence(seed: number): () => number {
  let state = seed * 0x9e3779b1
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function artSpec(productId: number): ArtSpec {
  const next = sequence(productId)
  // Hues walk the colour wheel by the golden angle so neighbouring products differ clearly.
  const hue = Math.round((productId * 137.508) % 360)
  const accentHue = (hue + 150 + Math.round(next() * 60)) % 360
  const dots: [number, number, number][] = Array.from({ length: 5 }, () => [
    Math.round(next() * 100),
    Math.round(next() * 75),
    Math.round(2 + next() * 5),
  ])
  return {
    background: `hsl(${hue} 70% 88%)`,
    accent: `hsl(${accentHue} 55% 45%)`,
    shape: SHAPES[(productId - 1) % SHAPES.length] ?? 'circle',
    dots,
  }
}
