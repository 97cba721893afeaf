import { PAGE_COUNT, PAGE_SIZE, PRODUCT_COUNT } from '@hangout/protocol'

export interface Product {
  id: number
  name: string
  /** In cents. */
  price: number
  blurb: string
}

const CATALOG: [name: string, price: number, blurb: string][] = [
  ['Aurora Desk Lamp', 4900, 'Warm, dimmable light for late ideas.'],
  ['Basalt Coffee Mug', 1800, 'Stoneware that keeps its heat.'],
  ['Cedar Notebook', 1200, 'Dotted pages, lay-flat binding.'],
  ['Drift Wool Throw', 8900, 'Soft merino for slow Sundays.'],
  ['Ember Scented Candle', 2400, 'Smoked cedar and orange peel.'],
  ['Fjord Water Bottle', 2900, 'Cold for a day, light as air.'],
  ['Grove Plant Pot', 2200, 'Glazed clay with a drip tray.'],
  ['Harbor Canvas Tote', 3400, 'Heavy canvas, leather handles.'],
  ['Iris Ceramic Vase', 3900, 'Hand-thrown, matte finish.'],
  ['Juniper Tea Set', 5600, 'A pot and two cups, for sharing.'],
  ['Kestrel Headphones', 12900, 'Quiet rooms wherever you are.'],
  ['Lumen Bike Light', 3100, 'Bright, rechargeable, weatherproof.'],
  ['Meadow Picnic Blanket', 4500, 'Waterproof underside, folds small.'],
  ['Nimbus Pillow', 3800, 'Cloud-soft, washable cover.'],
  ['Orbit Wall Clock', 4200, 'Silent sweep, bold numerals.'],
  ['Pebble Speaker', 6900, 'Pocket-sized sound, big bass.'],
  ['Quill Fountain Pen', 5200, 'Steel nib, smooth ink flow.'],
  ['Ridge Hiking Socks', 1600, 'Cushioned merino, three pairs.'],
  ['Solstice Sunglasses', 7400, 'Polarised lenses, light frame.'],
  ['Tidal Beach Towel', 2700, 'Quick-dry cotton, sand-shedding.'],
]

/** The shopping demo's static catalog, ids 1..PRODUCT_COUNT. */
export const PRODUCTS: readonly Product[] = CATALOG.slice(0, PRODUCT_COUNT).map(([name, price, blurb], index) => ({
  id: index + 1,
  name,
  price,
  blurb,
}))

export const PAGES: readonly number[] = Array.from({ length: PAGE_COUNT }, (_, index) => index + 1)

export function productsOnPage(page: number): Product[] {
  return PRODUCTS.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
}

export function pageOfProduct(productId: number): number {
  return Math.ceil(productId / PAGE_SIZE)
}

export function productById(productId: number): Product | undefined {
  return PRODUCTS[productId - 1]
}

const priceFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })
export function formatPrice(cents: number): string {
  return priceFormat.format(cents / 100)
}
