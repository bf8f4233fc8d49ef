// Dyno sizes as GET /dyno-sizes lists them, with the memory quota log-runtime-metrics reports.
import {createHash} from 'node:crypto'

import type {SizeTier} from './types.js'

export interface DynoSize {
  compute: number
  dedicated: boolean
  dynoUnits: number
  /** GB, as the API gives it */
  memory: number
  name: string
  preciseDynoUnits: number
  privateSpaceOnly: boolean
  tier: SizeTier
}

const size = (name: string, tier: SizeTier, memory: number, compute: number, preciseDynoUnits: number, dedicated = false): DynoSize => ({
  compute,
  dedicated,
  dynoUnits: Math.floor(preciseDynoUnits),
  memory,
  name,
  preciseDynoUnits,
  privateSpaceOnly: tier === 'private' || tier === 'shield',
  tier,
})

export const DYNO_SIZES: DynoSize[] = [
  size('Eco', 'eco', 0.5, 1, 0),
  size('Basic', 'basic', 0.5, 1, 0.28),
  size('Standard-1X', 'standard', 0.5, 1, 1),
  size('Standard-2X', 'standard', 1, 2, 2),
  size('Performance-M', 'performance', 2.5, 12, 8, true),
  size('Performance-L', 'performance', 14, 50, 16, true),
  size('Performance-L-RAM', 'performance', 30, 24, 16, true),
  size('Performance-XL', 'performance', 62, 50, 32, true),
  size('Performance-2XL', 'performance', 126, 100, 64, true),
  size('Private-S', 'private', 1, 2, 2),
  size('Private-M', 'private', 2.5, 12, 8, true),
  size('Private-L', 'private', 14, 50, 16, true),
  size('Shield-S', 'shield', 1, 2, 2),
  size('Shield-M', 'shield', 2.5, 12, 8, true),
  size('Shield-L', 'shield', 14, 50, 16, true),
]

const ALIASES: Record<string, string> = {
  '1x': 'Standard-1X',
  '2x': 'Standard-2X',
  free: 'Eco',
  hobby: 'Basic',
  pl: 'Performance-L',
  pm: 'Performance-M',
  px: 'Performance-L',
}

/** the canonical (capitalised) size for a name in any case, or undefined */
export function findSize(name: string): DynoSize | undefined {
  const lower = name.trim().toLowerCase()
  const canonical = ALIASES[lower] ?? name
  return DYNO_SIZES.find(s => s.name.toLowerCase() === canonical.toLowerCase())
}

export const DEFAULT_SIZE: Record<SizeTier, string> = {
  basic: 'Basic',
  eco: 'Eco',
  performance: 'Performance-M',
  private: 'Private-S',
  shield: 'Shield-S',
  standard: 'Standard-1X',
}

export const ONE_OFF_LIMIT: Record<SizeTier, number> = {
  basic: 50,
  eco: 1,
  performance: 5,
  private: 5,
  shield: 5,
  standard: 50,
}

/** memory_quota in MB as log-runtime-metrics prints it */
export function memoryQuotaMB(sizeName: string): number {
  return (findSize(sizeName)?.memory ?? 0.5) * 1024
}

/** a stable uuid-shaped id derived from a name */
export function stableId(name: string): string {
  const h = createHash('sha1').update(name).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export function sizeJson(s: DynoSize): Record<string, unknown> {
  return {
    architecture: 'amd64',
    compute: s.compute,
    cost: null,
    dedicated: s.dedicated,
    dyno_units: s.dynoUnits,
    generation: {id: stableId('generation:cedar'), name: 'cedar'},
    id: stableId(`size:${s.name}`),
    memory: s.memory,
    name: s.name,
    precise_dyno_units: s.preciseDynoUnits,
    private_space_only: s.privateSpaceOnly,
  }
}
