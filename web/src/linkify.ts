/** A piece of a chat message: plain text, or a web address to show as a link. */
export type TextPart = { text: string; href?: undefined } | { text: string; href: string }

// http(s) only: a `javascript:` or `data:` address never becomes a link. Trailing punctuation
// belongs to the sentence, not the address.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi
const TRAILING = /[.,;:!?)\]}]+$/

/** Splits a message into text and links; the text is shown as text (never parsed as HTML). */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = []
  let at = 0
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0
    const address = match[0].replace(TRAILING, '')
    let href: string
    try {
      href = new URL(address).href
    } catch {
      continue
    }
    if (start > at) parts.push({ text: text.slice(at, start) })
    parts.push({ text: address, href })
    at = start + address.length
  }
  if (at < text.length) parts.push({ text: text.slice(at) })
  return parts
}
