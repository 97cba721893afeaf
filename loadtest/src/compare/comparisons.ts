/** The comparisons `./hangout bench --compare NAME` runs: their systems, cases and targets (issues 13 and 15). */
import type { ActivityPlan } from '../../k6/lib/plans.js'
import type { ArmResult, ArmSpec } from './arm.js'

export const COMPARISONS = ['join', 'broadcast', 'affinity', 'cluster', 'capacity'] as const
export type ComparisonName = (typeof COMPARISONS)[number]

export interface Metric {
  name: string
  /** The figure of one arm (lower is better). */
  of(arm: ArmResult): number
  unit: string
  /** Target for A / B. */
  target: number
}

export interface Case {
  name: string
  spec: Omit<ArmSpec, 'workers' | 'windowMs'>
  metrics: Metric[]
}

const idle: ActivityPlan = { chatPerSec: 0, scrollPerSec: 0, clickPerSec: 0, pagePerSec: 0, warmupMs: 0 }
const clicks = (perSec: number): ActivityPlan => ({ ...idle, clickPerSec: perSec })
const chat = (perSec: number): ActivityPlan => ({ ...idle, chatPerSec: perSec })

const cpuPerJoin = (target: number): Metric => ({
  name: 'CPU per connect + join',
  of: (arm) => (arm.joinCpuMs * 1000) / arm.joined,
  unit: 'µs',
  target,
})
const joinWall = (target: number): Metric => ({
  name: 'wall time, all sockets joined',
  of: (arm) => arm.joinPhaseMs,
  unit: 'ms',
  target,
})
export const cpuPerDelivery = (target: number): Metric => ({
  name: 'CPU per delivered event',
  of: (arm) => (arm.windowCpuMs * 1000) / arm.tally.delivered,
  unit: 'µs',
  target,
})

/** Sockets and rates: a few thousand deliveries a second, well inside one core on either system. */
export const CASES: Record<Exclude<ComparisonName, 'capacity'>, Case[]> = {
  join: [
    {
      name: 'rooms of 6',
      spec: { sockets: 396, roomSize: 6, plan: idle, measure: 'join' },
      metrics: [cpuPerJoin(1.5), joinWall(2)],
    },
    {
      name: 'rooms of 30',
      spec: { sockets: 390, roomSize: 30, plan: idle, measure: 'join' },
      metrics: [cpuPerJoin(1.5), joinWall(2)],
    },
  ],
  broadcast: [
    {
      name: 'clicks, rooms of 6',
      spec: { sockets: 240, roomSize: 6, plan: clicks(2), measure: 'window' },
      metrics: [cpuPerDelivery(1.1)],
    },
    {
      name: 'clicks, rooms of 50',
      spec: { sockets: 100, roomSize: 50, plan: clicks(0.5), measure: 'window' },
      metrics: [cpuPerDelivery(1.1)],
    },
    {
      name: 'chat, rooms of 6',
      spec: { sockets: 240, roomSize: 6, plan: chat(0.5), measure: 'window' },
      metrics: [cpuPerDelivery(1.1)],
    },
    {
      name: 'chat, rooms of 50',
      spec: { sockets: 100, roomSize: 50, plan: chat(0.5), measure: 'window' },
      metrics: [cpuPerDelivery(1.1)],
    },
  ],
  affinity: [
    {
      name: 'clicks + chat, 30 rooms of 10',
      spec: { sockets: 300, roomSize: 10, plan: { ...idle, clickPerSec: 1, chatPerSec: 0.1 }, measure: 'window' },
      metrics: [cpuPerDelivery(0.5)],
    },
  ],
  cluster: [
    {
      name: 'clicks + chat, 30 rooms of 10',
      spec: { sockets: 300, roomSize: 10, plan: { ...idle, clickPerSec: 1, chatPerSec: 0.1 }, measure: 'window' },
      metrics: [cpuPerDelivery(1.2)],
    },
  ],
}

export const ARMS: Record<Exclude<ComparisonName, 'capacity'>, { a: string; b: string; counted: string }> = {
  join: { a: 'one gateway + Redis', b: 'bare Socket.IO', counted: 'gateway + Redis; bare server' },
  broadcast: { a: 'one gateway + Redis', b: 'bare Socket.IO', counted: 'gateway + Redis; bare server' },
  affinity: { a: '3 nodes, nginx consistent room hash', b: '3 nodes, nginx round-robin', counted: 'gateways + Redis' },
  cluster: { a: '3 nodes, room hash (through nginx)', b: '1 node (through nginx)', counted: 'gateways + Redis' },
}
