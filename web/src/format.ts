const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/** A message's time: the clock time today, with the day before today. */
export function formatMessageTime(ts: number, now = Date.now()): string {
  const sameDay = new Date(ts).toDateString() === new Date(now).toDateString()
  return (sameDay ? timeFormat : dayTimeFormat).format(ts)
}

export function initial(name: string): string {
  return name.trim().charAt(0).toUpperCase() || '?'
}
