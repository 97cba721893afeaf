import { capacity } from './capacity.js'
import { COMPARISONS, type ComparisonName } from '../compare/comparisons.js'
import { runComparison } from '../compare/run-comparison.js'
import { chooseCores } from '../compare/pinning.js'
import { positive, values } from './options.js'

/** `--compare NAME [--window S] [--pairs N] [--case TEXT] [--self [--twin DIR]]`: see loadtest/src/compare/run-comparison.ts. */
export async function compare(name: string): Promise<void> {
  if (!(COMPARISONS as readonly string[]).includes(name)) throw new Error(`--compare must be one of ${COMPARISONS.join(', ')}`)
  // --quick (the default mode's `./hangout bench --quick`): 4 s windows, for a check that it runs.
  const windowMs = positive('window', values.quick ? 4 : 15) * 1000
  if (name === 'capacity') {
    await capacity({ cores: chooseCores(), windowMs })
    return
  }
  const pairs = positive('pairs', 3)
  if (!Number.isInteger(pairs)) throw new Error('--pairs must be a whole number')
  await runComparison(name as Exclude<ComparisonName, 'capacity'>, {
    windowMs,
    pairs,
    workers: positive('workers', 2),
    caseFilter: values.case,
    self: values.self,
    twin: values.twin,
  })
}
