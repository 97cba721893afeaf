import type { Collection, Document, IndexSpecification } from 'mongodb'

export interface IndexSpec {
  key: Record<string, 1 | -1>
  name: string
  unique?: boolean
  /**
   * Index only the documents that match. A server without partial indexes (FerretDB v1 answers
   * NotImplemented) gets the index without it: FerretDB leaves a missing field out of a unique index.
   */
  partialFilterExpression?: Document
}

/** MongoDB's error code for an option the server does not implement (FerretDB's answer to partial indexes). */
const NOT_IMPLEMENTED = 238

/**
 * Creates the index, or accepts one that already exists on the same keys with the same uniqueness
 * under another name (a database made by an earlier version): the guarantee is what matters.
 */
export async function ensureIndex<T extends Document>(collection: Collection<T>, spec: IndexSpec): Promise<void> {
  try {
    await create(collection, spec)
  } catch (err) {
    const existing = await collection.indexes()
    const equivalent = existing.some(
      (index) => JSON.stringify(index.key) === JSON.stringify(spec.key) && Boolean(index.unique) === Boolean(spec.unique),
    )
    if (!equivalent) throw err
  }
}

async function create<T extends Document>(collection: Collection<T>, spec: IndexSpec): Promise<void> {
  const options = { name: spec.name, unique: spec.unique ?? false }
  if (!spec.partialFilterExpression) {
    await collection.createIndex(spec.key as IndexSpecification, options)
    return
  }
  try {
    await collection.createIndex(spec.key as IndexSpecification, {
      ...options,
      partialFilterExpression: spec.partialFilterExpression,
    })
  } catch (err) {
    if ((err as { code?: number }).code !== NOT_IMPLEMENTED) throw err
    await collection.createIndex(spec.key as IndexSpecification, options)
  }
}
