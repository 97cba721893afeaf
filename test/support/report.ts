/** With HANGOUT_REPORT=1, prints one line of measurements per fault (the numbers in RELIABILITY.md). */
export function report(fault: string, measured: Record<string, number | string>): void {
  if (process.env.HANGOUT_REPORT) console.info(`[reliability] ${fault}: ${JSON.stringify(measured)}`)
}

/** Polls `check` every 50 ms; answers the ms it took, or throws naming `what`. */
export async function timeUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return Date.now() - started
}
