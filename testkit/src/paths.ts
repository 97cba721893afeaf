export { DATA_DIR, ROOT, TSX_IMPORT } from '@hangout/infra/paths'
