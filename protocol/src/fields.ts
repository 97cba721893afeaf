import { Type } from 'typebox'

/** A string whose length, after trimming, lies within [min, max]. */
export function TrimmedString(min: number, max: number) {
  // The raw string may carry surrounding whitespace; bound it so a huge padded string is still refused.
  return Type.Refine(
    Type.String({ minLength: min, maxLength: max * 2 + 64 }),
    (value) => {
      const length = value.trim().length
      return length >= min && length <= max
    },
    () => `must be ${min}-${max} characters after trimming`,
  )
}

export const ROOM_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
export const RoomId = Type.String({ pattern: ROOM_ID_PATTERN, description: 'URL-safe room id' })
export const UserId = Type.String({ minLength: 1, maxLength: 64 })
export const UserName = TrimmedString(1, 40)
export const RoomName = TrimmedString(1, 60)
export const Email = Type.String({ format: 'email', maxLength: 254 })
export const Password = Type.String({ minLength: 8, maxLength: 128 })
export const IsoDate = Type.String({ format: 'date-time' })
export const ChatText = TrimmedString(1, 2000)

/** The shopping demo's static catalog: ids 1..PRODUCT_COUNT, PAGE_SIZE to a page. */
export const PRODUCT_COUNT = 20
export const PAGE_SIZE = 8
export const PAGE_COUNT = Math.ceil(PRODUCT_COUNT / PAGE_SIZE)
export const ProductId = Type.Integer({ minimum: 1, maximum: PRODUCT_COUNT })
export const CatalogPage = Type.Integer({ minimum: 1, maximum: PAGE_COUNT })
export const ScrollTop = Type.Number({ minimum: 0, maximum: 1 })

export const HISTORY_LIMIT = 50
export const MESSAGES_PAGE_MAX = 100
