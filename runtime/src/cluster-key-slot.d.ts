// cluster-key-slot ships no types: its one export, as ioredis itself calls it.
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number
}
