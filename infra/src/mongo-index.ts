import type { Collection, Document, IndexSpecification } from 'mongodb'

export interface IndexSpec {
  key: Record<string, 1 | -1>
  name: string
  unique?: boolean
}

/**
 * Creates the index, or accepts one that already exists on the same keys with the same uniqueness
 * under another name (a database made by an earlier version): the guarantee is what matters.
 */
export async function ensureIndex<T extends Document>(collection: Collection<T>, spec: IndexSpec): Promise<void> {
  try {
    await collection.createIndex(spec.key as IndexSpecification, { name: spec.name, unique: spec.unique ?? false })
  } catch (err) {
    const existing = await collection.indexes()
    const equivalent = existing.some(
      (index) => JSON.stringify(index.key) === JSON.stringify(spec.key) && Boolean(index.unique) === Boolean(spec.unique),
    )
    if (!equivalent) throw err
  }
}
