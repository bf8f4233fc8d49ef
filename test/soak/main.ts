// npm run soak: the full soak, 1,000 triggers over 7 simulated days, on the file store and on
// Postgres (a throwaway cluster, or HEROKU_TRIGGERS_TEST_PG_URL), and what it measured.
// SOAK_DAYS, SOAK_TRIGGERS and SOAK_STORES (file,postgres) shorten it.
import {testDatabase} from '../helpers/postgres.js'
import {describe, runSoak} from './soak.js'

const days = Number(process.env.SOAK_DAYS ?? 7)
const triggers = Number(process.env.SOAK_TRIGGERS ?? 1000)
const stores = (process.env.SOAK_STORES ?? 'file,postgres').split(',') as Array<'file' | 'postgres'>
let failed = false
for (const store of stores) {
  const report = await runSoak({databaseUrl: store === 'postgres' ? await testDatabase() : undefined, days, print: line => console.log(`  ${store}: ${line}`), store, triggers})
  console.log(describe(report))
  const growth = report.heapLastMb / report.heapDay1Mb - 1
  const problems = [
    report.duplicates > 0 && 'duplicates',
    report.lost > 0 && 'lost runs',
    report.checks.some(c => c.wrongOutcome.length > 0 || c.wronglyMissed.length > 0 || c.unexpected.length > 0) && 'wrong outcomes, misses or unexpected runs',
    days >= 7 && growth > 0.1 && `heap grew ${Math.round(growth * 100)} %`,
    report.oldestStoredDays > report.retentionDays + 1 && `the run store keeps runs ${report.oldestStoredDays} days old (retention ${report.retentionDays} days)`,
  ].filter(Boolean)
  if (problems.length > 0) {
    failed = true
    console.log(`  FAILED: ${problems.join(', ')}\n  last lines:\n${report.tail.slice(-40).map(l => `    ${l}`).join('\n')}`)
  }
}

process.exit(failed ? 1 : 0)
