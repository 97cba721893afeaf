import { ConfigError, parseShards, redisTarget } from '../src/index.js'

test('REDIS_CLUSTER_NODES, when set, is the target; REDIS_URL otherwise', () => {
  expect(redisTarget('redis://127.0.0.1:6379', undefined)).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' })
  expect(redisTarget('redis://127.0.0.1:6379', ' ')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' })
  expect(redisTarget('redis://unused', 'redis-1:7001, 10.0.0.2:7002,[::1]:7003')).toEqual({
    kind: 'cluster',
    nodes: [
      { host: 'redis-1', port: 7001 },
      { host: '10.0.0.2', port: 7002 },
      { host: '::1', port: 7003 },
    ],
  })
  for (const bad of ['redis-1', 'redis-1:', 'redis-1:70000', 'a:1,,b:2', 'redis://a:1'])
    expect(() => redisTarget('redis://x', bad)).toThrow(ConfigError)
})

test('CLUSTER SHARDS: slots counted over ranges, online master and replicas, failed nodes left out', () => {
  const node = (port: number, role: string, health: string) => [
    'id',
    `n${port}`,
    'port',
    port,
    'ip',
    '127.0.0.1',
    'role',
    role,
    'health',
    health,
  ]
  const reply = [
    ['slots', [0, 99, 200, 299], 'nodes', [node(7001, 'master', 'online'), node(7004, 'replica', 'online')]],
    ['slots', [100, 199], 'nodes', [node(7002, 'master', 'fail'), node(7005, 'master', 'online')]],
    ['slots', [], 'nodes', [node(7003, 'master', 'fail')]],
  ]
  expect(parseShards(reply)).toEqual([
    { master: '127.0.0.1:7001', replicas: ['127.0.0.1:7004'], slots: 200 },
    { master: '127.0.0.1:7005', replicas: [], slots: 100 },
  ])
})
