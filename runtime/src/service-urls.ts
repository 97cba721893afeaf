/** Where a service looks for its stores when the environment names none (CONTRACT.md's local topology). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'
export const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/hangout'
