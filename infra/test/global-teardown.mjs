export default async function globalTeardown() {
  await Promise.all((globalThis.__hangoutServices ?? []).map((proc) => proc.stop()))
}
