import { PAGE_COUNT, PAGE_SIZE, PRODUCT_COUNT } from '@hangout/protocol'
import { artSpec } from '../src/productArt.js'
import { formatPrice, PAGES, PRODUCTS, pageOfProduct, productById, productsOnPage } from '../src/products.js'

describe('the catalog', () => {
  test('holds the contract’s products, ids 1..PRODUCT_COUNT, each with a distinct name and a price', () => {
    expect(PRODUCTS).toHaveLength(PRODUCT_COUNT)
    expect(PRODUCTS.map((p) => p.id)).toEqual(Array.from({ length: PRODUCT_COUNT }, (_, i) => i + 1))
    expect(new Set(PRODUCTS.map((p) => p.name)).size).toBe(PRODUCT_COUNT)
    for (const product of PRODUCTS) {
      expect(Number.isInteger(product.price) && product.price > 0).toBe(true)
      expect(product.blurb.length).toBeGreaterThan(0)
      expect(productById(product.id)).toBe(product)
    }
    expect(productById(0)).toBeUndefined()
    expect(productById(PRODUCT_COUNT + 1)).toBeUndefined()
  })

  test('pages hold PAGE_SIZE products each and every product exactly once', () => {
    expect(PAGES).toEqual(Array.from({ length: PAGE_COUNT }, (_, i) => i + 1))
    const seen = PAGES.flatMap((page) => {
      const products = productsOnPage(page)
      expect(products.length).toBeLessThanOrEqual(PAGE_SIZE)
      for (const product of products) expect(pageOfProduct(product.id)).toBe(page)
      return products.map((p) => p.id)
    })
    expect(seen).toEqual(PRODUCTS.map((p) => p.id))
    expect(productsOnPage(1)).toHaveLength(PAGE_SIZE)
    expect(productsOnPage(PAGE_COUNT + 1)).toEqual([])
  })

  test('every product’s drawn placeholder is the same each time and differs from the others', () => {
    const specs = PRODUCTS.map((p) => artSpec(p.id))
    expect(PRODUCTS.map((p) => artSpec(p.id))).toEqual(specs)
    expect(new Set(specs.map((s) => s.background)).size).toBe(PRODUCT_COUNT)
    for (const spec of specs) {
      expect(spec.background).toMatch(/^hsl\(\d+ 70% 88%\)$/)
      expect(spec.dots).toHaveLength(5)
      for (const [x, y, r] of spec.dots) {
        expect(x).toBeGreaterThanOrEqual(0)
        expect(x).toBeLessThanOrEqual(100)
        expect(y).toBeLessThanOrEqual(75)
        expect(r).toBeGreaterThanOrEqual(2)
      }
    }
    expect(new Set(specs.map((s) => s.shape)).size).toBe(4)
  })

  test('prices read as dollars', () => {
    expect(formatPrice(4900)).toBe('$49.00')
    expect(formatPrice(12999)).toBe('$129.99')
  })
})
