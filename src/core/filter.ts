// One filter engine for runs, metrics and monitors: the language of Scheduler Monitor.
//
//   command:"python x.py" state:failed -size:standard
//
// - `attr:value` matches when the attribute contains the value, ignoring case; `attr:"value"`
//   (double quotes) when it equals the value, ignoring case. Inside quotes, `\"` is a quote.
// - A leading `-` excludes what the term matches: `-state:succeeded`, `-command:"python x.py"`.
// - Attributes: command, state, name, size, trigger, dyno, and type (the dyno's process type:
//   `scheduler` for scheduler.4321). `name` is the trigger's name, or the dyno's name for runs
//   without a trigger (Heroku Scheduler's, `heroku run`'s).
// - Terms on different attributes must all match (AND). Terms that include on the SAME attribute
//   are alternatives (OR): `state:failed state:interrupted` is either. Every exclude term
//   excludes on its own: `-state:failed -state:interrupted` is neither.
// - Text without an attribute matches the command or the name: `python`, `echo "Hello World!"`.
//   It runs to the next `attr:` term, spaces included, so `-Hello World` excludes commands holding
//   "Hello World". A command's value runs on the same way (`command:echo "Hello World!" state:failed`),
//   since commands have spaces; the other attributes' values end at the first space.
import {InvalidInputError} from './errors.js'
import {dynoTypeOf} from './runs.js'

export const FILTER_ATTRIBUTES = ['command', 'state', 'name', 'size', 'trigger', 'dyno', 'type'] as const
export type FilterAttribute = typeof FILTER_ATTRIBUTES[number]

export interface FilterTerm {
  /** null: text without an attribute, matched against the command or the name */
  attribute: FilterAttribute | null
  /** as written, without the quotes of an exact match */
  value: string
  /** true for a double-quoted value: the whole attribute must equal it */
  exact: boolean
  /** a leading `-`: what the term matches is left out */
  exclude: boolean
  /** the term as written, for messages */
  text: string
}

export interface Filter {
  source: string
  terms: FilterTerm[]
}

export interface FilterSubject {
  command?: null | string
  state?: null | string
  name?: null | string
  size?: null | string
  trigger?: null | string
  dyno?: null | string
}

const VALID = `valid attributes are ${FILTER_ATTRIBUTES.join(', ')}`
const EXAMPLE = 'e.g. command:"python x.py" state:failed -size:standard'

interface Token {
  raw: string
  start: number
  end: number
}

function invalid(term: string, problem: string): InvalidInputError {
  return new InvalidInputError(`invalid filter term ${JSON.stringify(term)}: ${problem}; ${VALID} (${EXAMPLE})`)
}

/** Splits at spaces outside double quotes. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++
    if (i >= n) break
    const start = i
    let quoted = false
    while (i < n) {
      const c = text[i]
      if (quoted) {
        if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++
        else if (c === '"') quoted = false
      } else if (/\s/.test(c)) {
        break
      } else if (c === '"') {
        quoted = true
      }

      i++
    }

    if (quoted) throw invalid(text.slice(start), 'a double quote is not closed; close it, as in command:"python x.py"')
    tokens.push({raw: text.slice(start, i), start, end: i})
  }

  return tokens
}

/** `-state:failed` → {exclude, attribute, value}; null for text without an attribute. */
function attributeOf(raw: string): null | {attribute: FilterAttribute; exclude: boolean; value: string} {
  const match = /^(-?)([A-Za-z][\w-]*):/.exec(raw)
  if (!match) return null
  const value = raw.slice(match[0].length)
  if (value.startsWith('//')) return null // a URL in free text, not an attribute
  const attribute = match[2].toLowerCase()
  if (!(FILTER_ATTRIBUTES as readonly string[]).includes(attribute)) throw invalid(raw, `unknown attribute ${JSON.stringify(match[2])}`)
  return {attribute: attribute as FilterAttribute, exclude: match[1] === '-', value}
}

/** A value as written: exact when it is one double-quoted string, else the literal text. */
function readValue(text: string, written: string): {exact: boolean; value: string} {
  if (written.length >= 2 && written.startsWith('"') && written.endsWith('"')) {
    const inner = written.slice(1, -1)
    // one quoted string, not "a" "b": every inner quote is escaped
    if (!/(^|[^\\])(\\\\)*"/.test(inner)) {
      const value = inner.replaceAll(/\\(["\\])/g, '$1')
      if (value === '') throw invalid(text, 'the value is empty; write what to match between the quotes')
      return {exact: true, value}
    }
  }

  if (written === '') throw invalid(text, 'the value is empty; write it after the colon, as in state:failed')
  return {exact: false, value: written}
}

/** Parses the filter language (see the top of this file). Throws InvalidInputError naming the bad term. */
export function parseFilter(text: string): Filter {
  const tokens = tokenize(text)
  const terms: FilterTerm[] = []
  let i = 0
  while (i < tokens.length) {
    const token = tokens[i]
    const attr = attributeOf(token.raw)
    // how far the value runs: one token, or on to the next attribute for a command and free text
    let last = i
    const runsOn = attr === null || (attr.attribute === 'command' && attr.value !== '' && !attr.value.startsWith('"'))
    if (runsOn) {
      while (last + 1 < tokens.length && attributeOf(tokens[last + 1].raw) === null) last++
    }

    const written = text.slice(token.start, tokens[last].end)
    if (attr === null) {
      const exclude = written.startsWith('-')
      if (exclude && written.length === 1) throw invalid(written, 'a lone "-" excludes nothing; put a term right after it, as in -state:succeeded')
      const {exact, value} = readValue(written, exclude ? written.slice(1) : written)
      terms.push({attribute: null, value, exact, exclude, text: written})
    } else {
      const valueStart = token.start + token.raw.length - attr.value.length
      const {exact, value} = readValue(written, text.slice(valueStart, tokens[last].end))
      terms.push({attribute: attr.attribute, value, exact, exclude: attr.exclude, text: written})
    }

    i = last + 1
  }

  return {source: text, terms}
}

function fieldOf(subject: FilterSubject, attribute: FilterAttribute): null | string | undefined {
  switch (attribute) {
    case 'name': {
      return subject.name ?? subject.dyno
    }

    case 'type': {
      const {dyno} = subject
      if (!dyno) return null
      return dynoTypeOf(dyno)
    }

    default: {
      return subject[attribute]
    }
  }
}

function hit(field: null | string | undefined, term: FilterTerm): boolean {
  if (field === null || field === undefined) return false
  const a = field.toLowerCase()
  const b = term.value.toLowerCase()
  return term.exact ? a === b : a.includes(b)
}

function termMatches(subject: FilterSubject, term: FilterTerm): boolean {
  if (term.attribute === null) return hit(subject.command, term) || hit(fieldOf(subject, 'name'), term)
  return hit(fieldOf(subject, term.attribute), term)
}

/** Whether a run (or anything with these attributes) passes the filter. An empty filter passes all. */
export function matches(filter: Filter, subject: FilterSubject): boolean {
  // include terms on the same attribute are alternatives: one of them must match
  let open: Partial<Record<FilterAttribute, boolean>> | undefined
  for (const term of filter.terms) {
    const hitTerm = termMatches(subject, term)
    if (term.exclude) {
      if (hitTerm) return false
    } else if (term.attribute === null) {
      if (!hitTerm) return false
    } else {
      open ??= {}
      open[term.attribute] = (open[term.attribute] ?? false) || hitTerm
    }
  }

  if (open) for (const ok of Object.values(open)) if (!ok) return false
  return true
}
