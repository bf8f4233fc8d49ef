/** A count with its noun, in the plural unless it is one: 1 trigger, 2 triggers. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
