// The filter language that runs --filter, metrics --filter and monitors share.
import {expect} from 'chai'

import {InvalidInputError} from '../../src/core/errors.js'
import {type FilterSubject, matches, parseFilter} from '../../src/core/filter.js'

const runs: Array<FilterSubject & {id: string}> = [
  {id: 'a', command: 'python x.py', state: 'failed', name: 'nightly report', size: 'Standard-1X', trigger: '1a2b3c4d-0000-4000-8000-000000000001', dyno: 'trigger-1a2b3c4d.3'},
  {id: 'b', command: 'python x.py --fast', state: 'succeeded', name: 'nightly report', size: 'Performance-L', trigger: '1a2b3c4d-0000-4000-8000-000000000001', dyno: 'trigger-1a2b3c4d.4'},
  {id: 'c', command: 'echo "Hello World!"', state: 'interrupted', name: null, size: 'standard-2X', trigger: null, dyno: 'scheduler.4321'},
  {id: 'd', command: 'rake sync', state: 'failed-to-start', name: 'sync', size: null, trigger: '9f8e7d6c-0000-4000-8000-000000000002', dyno: null},
  {id: 'e', command: 'bin/release', state: 'running', name: null, size: 'Basic', trigger: null, dyno: 'release.1234'},
]

function ids(filter: string): string[] {
  const f = parseFilter(filter)
  return runs.filter(r => matches(f, r)).map(r => r.id)
}

function error(filter: string): string {
  try {
    parseFilter(filter)
  } catch (error_) {
    expect(error_).to.be.instanceOf(InvalidInputError)
    const {message} = error_ as Error
    expect(message).to.not.include('\n')
    return message
  }

  throw new Error(`parseFilter(${JSON.stringify(filter)}) did not throw`)
}

describe('filter: parsing', () => {
  it('reads the example of PRODUCT.md into three terms', () => {
    expect(parseFilter('command:"python x.py" state:failed -size:standard').terms).to.deep.equal([
      {attribute: 'command', value: 'python x.py', exact: true, exclude: false, text: 'command:"python x.py"'},
      {attribute: 'state', value: 'failed', exact: false, exclude: false, text: 'state:failed'},
      {attribute: 'size', value: 'standard', exact: false, exclude: true, text: '-size:standard'},
    ])
  })

  it('an empty filter has no terms and passes everything', () => {
    expect(parseFilter('   ').terms).to.deep.equal([])
    expect(ids('')).to.deep.equal(['a', 'b', 'c', 'd', 'e'])
  })

  it('attribute names ignore case; escaped quotes stay in an exact value', () => {
    expect(parseFilter('STATE:failed').terms[0].attribute).to.equal('state')
    expect(parseFilter(String.raw`command:"echo \"Hello World!\""`).terms[0]).to.include({exact: true, value: 'echo "Hello World!"'})
  })

  it('rejects an unknown attribute, naming the term and the valid attributes', () => {
    const message = error('stat:failed')
    expect(message).to.include('"stat:failed"')
    expect(message).to.include('unknown attribute "stat"')
    expect(message).to.include('command, state, name, size, trigger')
  })

  it('rejects an unclosed quote', () => {
    expect(error('state:failed command:"python x.py')).to.match(/"command:\\"python x.py".*not closed/)
  })

  it('rejects an empty value and a lone dash', () => {
    expect(error('state:')).to.match(/"state:".*empty/)
    expect(error('size:"" state:failed')).to.match(/"size:\\"\\"".*empty/)
    expect(error('state:failed -')).to.match(/"-".*excludes nothing/)
  })

  it('a URL in free text is not an attribute', () => {
    expect(parseFilter('curl https://example.com').terms[0]).to.include({attribute: null, value: 'curl https://example.com'})
  })
})

describe('filter: matching', () => {
  it('partial matches ignore case; exact matches take the whole value', () => {
    expect(ids('size:standard')).to.deep.equal(['a', 'c'])
    expect(ids('size:"standard-1x"')).to.deep.equal(['a'])
    expect(ids('command:"python x.py"')).to.deep.equal(['a'])
    expect(ids('command:python')).to.deep.equal(['a', 'b'])
    expect(ids('state:fail')).to.deep.equal(['a', 'd'])
    expect(ids('state:"failed"')).to.deep.equal(['a'])
  })

  it('excludes with a leading dash', () => {
    expect(ids('-state:succeeded')).to.deep.equal(['a', 'c', 'd', 'e'])
    expect(ids('command:python -command:"python x.py --fast"')).to.deep.equal(['a'])
    // a missing attribute does not match, so excluding on it keeps the run
    expect(ids('-size:standard')).to.deep.equal(['b', 'd', 'e'])
  })

  it('terms on different attributes are ANDed', () => {
    expect(ids('command:"python x.py" state:failed -size:standard')).to.deep.equal([])
    expect(ids('command:python state:failed')).to.deep.equal(['a'])
  })

  it('the same attribute repeated is ORed; repeated excludes each exclude', () => {
    // partial: failed also finds failed-to-start
    expect(ids('state:failed state:interrupted')).to.deep.equal(['a', 'c', 'd'])
    expect(ids('-state:failed -state:interrupted')).to.deep.equal(['b', 'e'])
    expect(ids('-state:"failed" -state:interrupted')).to.deep.equal(['b', 'd', 'e'])
    expect(ids('state:"failed" state:interrupted size:standard')).to.deep.equal(['a', 'c'])
  })

  it('a bare word matches the command or the name', () => {
    expect(ids('python')).to.deep.equal(['a', 'b'])
    expect(ids('nightly')).to.deep.equal(['a', 'b'])
    expect(ids('sync')).to.deep.equal(['d'])
    expect(ids('-python')).to.deep.equal(['c', 'd', 'e'])
    expect(ids('"sync"')).to.deep.equal(['d'])
  })

  it('the real-world examples of Scheduler Monitor', () => {
    expect(ids('echo "Hello World!"')).to.deep.equal(['c'])
    expect(ids('-Hello World')).to.deep.equal(['a', 'b', 'd', 'e'])
    expect(ids('command:echo "Hello World!" state:failed state:interrupted')).to.deep.equal(['c'])
    expect(ids('command:echo "Hello World!" -state:succeeded')).to.deep.equal(['c'])
    expect(ids('state:running size:basic')).to.deep.equal(['e'])
    expect(ids('name:scheduler.4321')).to.deep.equal(['c'])
    expect(ids('-type:release')).to.deep.equal(['a', 'b', 'c', 'd'])
  })

  it('trigger and dyno', () => {
    expect(ids('trigger:1a2b3c4d')).to.deep.equal(['a', 'b'])
    expect(ids('dyno:scheduler')).to.deep.equal(['c'])
    expect(ids('type:"trigger-1a2b3c4d"')).to.deep.equal(['a', 'b'])
  })
})
