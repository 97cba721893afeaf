/** A unique index refused a write: the record exists already (MongoDB's duplicate key error). */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError'
}

/** MongoDB's code for a write that a unique index refused. */
export const MONGO_DUPLICATE_KEY = 11000
