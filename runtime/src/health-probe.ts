/** One answer of a service's health endpoint; `undefined` from `probeHealth` when nothing answered. */
export interface HealthAnswer {
  status: number
  body: Record<string, unknown> | undefined
}

/**
 * GET a health URL within `timeoutMs`: what answered (status and JSON body, if any), or undefined
 * when nothing answered in time. The one probe the supervisor, the launchers, the tests and the
 * bench use.
 */
export async function probeHealth(url: string, timeoutMs = 2000): Promise<HealthAnswer | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const text = await response.text()
    let body: Record<string, unknown> | undefined
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      body = undefined
    }
    return { status: response.status, body }
  } catch {
    return undefined
  }
}

/** True when the URL answers 200 within `timeoutMs`. */
export async function isHealthy(url: string, timeoutMs = 2000): Promise<boolean> {
  return (await probeHealth(url, timeoutMs))?.status === 200
}
