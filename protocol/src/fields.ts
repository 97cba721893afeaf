import { Type } from 'typebox'

/**
 * Characters no name or chat text may hold: C0 and C1 controls (chat text keeps tab, line feed and
 * carriage return), bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: they
 * reorder the text shown after them), and invisible characters that only hide or disguise text
 * (zero-width space U+200B, word joiner and invisible operators U+2060-U+2064, U+206A-U+206F,
 * U+FEFF, U+180E, U+2028/U+2029, U+FFF9-U+FFFB) and unpaired surrogates. Kept on purpose: the
 * zero-width joiner and non-joiner (U+200D, U+200C: emoji sequences, Indic and Persian writing),
 * the bidi marks U+200E, U+200F, U+061C (right-to-left writers use them), variation selectors and
 * tag characters (emoji), and every letter of every script.
 */
export function forbiddenCharacter(value: string, multiline: boolean): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      return unit
    }
    if (isForbidden(unit, multiline)) return unit
  }
  return undefined
}

function isForbidden(unit: number, multiline: boolean): boolean {
  if (unit < 0x20) return !(multiline && (unit === 0x09 || unit === 0x0a || unit === 0x0d))
  if (unit >= 0x7f && unit <= 0x9f) return true
  if (unit === 0x200b || unit === 0x2028 || unit === 0x2029 || unit === 0x180e || unit === 0xfeff) return true
  if (unit >= 0x202a && unit <= 0x202e) return true
  if (unit >= 0x2060 && unit <= 0x206f && unit !== 0x2065) return true
  if (unit >= 0xfff9 && unit <= 0xfffb) return true
  return unit >= 0xdc00 && unit <= 0xdfff
}

/** Whether the text shows something: not only spaces and format characters (a name of joiners alone is invisible). */
function hasVisible(value: string): boolean {
  return /[^\p{Z}\p{Cf}\s]/u.test(value)
}

/**
 * A string whose length, after trimming, lies within [min, max], that shows something and holds no
 * character of `forbiddenCharacter` (refused, never stripped: a refused request changes nothing).
 */
export function TrimmedString(min: number, max: number, options: { multiline?: boolean } = {}) {
  const multiline = options.multiline ?? false
  // The raw string may carry surrounding whitespace; bound it so a huge padded string is still refused.
  const bounded = Type.Refine(
    Type.String({ minLength: min, maxLength: max * 2 + 64 }),
    (value) => {
      const length = value.trim().length
      return length >= min && length <= max
    },
    () => `must be ${min}-${max} characters after trimming`,
  )
  return Type.Refine(
    bounded,
    (value) => forbiddenCharacter(value, multiline) === undefined && (min === 0 || hasVisible(value)),
    () => 'must not contain control, bidi-override or invisible characters',
  )
}

export const ROOM_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
export const RoomId = Type.String({ pattern: ROOM_ID_PATTERN, description: 'URL-safe room id' })
export const UserId = Type.String({ minLength: 1, maxLength: 64 })
export const UserName = TrimmedString(1, 40)
export const RoomName = TrimmedString(1, 60)
export const Email = Type.String({ format: 'email', maxLength: 254 })
/** 8-128 characters, not all of them spaces (eight spaces are no password). */
export const Password = Type.String({ minLength: 8, maxLength: 128, pattern: '\\S' })
export const IsoDate = Type.String({ format: 'date-time' })
export const ChatText = TrimmedString(1, 2000, { multiline: true })
/** A sender's own id for a chat message, so a resend is recognised (idempotency). */
export const ClientId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'URL-safe, 1-64 characters' })
/** A chat message's id as the server assigned it. */
export const MessageId = Type.String({ minLength: 1, maxLength: 64 })
/** A pointer's position over the catalog, as a fraction of its width or scrollable height. */
export const PointerFraction = Type.Number({ minimum: 0, maximum: 1 })

/** The shopping demo's static catalog: ids 1..PRODUCT_COUNT, PAGE_SIZE to a page. */
export const PRODUCT_COUNT = 20
export const PAGE_SIZE = 8
export const PAGE_COUNT = Math.ceil(PRODUCT_COUNT / PAGE_SIZE)
export const ProductId = Type.Integer({ minimum: 1, maximum: PRODUCT_COUNT })
export const CatalogPage = Type.Integer({ minimum: 1, maximum: PAGE_COUNT })
export const ScrollTop = Type.Number({ minimum: 0, maximum: 1 })

export const HISTORY_LIMIT = 50
/** Sockets one user may hold at once across the cluster; the next handshake is refused with RATE_LIMITED. */
export const SOCKETS_PER_USER_LIMIT = 20
export const MESSAGES_PAGE_MAX = 100
