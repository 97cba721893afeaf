import { useTitle } from '../useTitle.js'
import { Link } from './Link.js'

export function NotFound({ message = 'There is nothing at this address.' }: { message?: string }) {
  useTitle('Not found')
  return (
    <section class="panel narrow" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Not found</h1>
      <p>{message}</p>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
    </section>
  )
}
