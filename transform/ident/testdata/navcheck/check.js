// Reads a JSON array of strings on stdin and writes, as a JSON array in the
// same order, what @navikt/fnrvalidator's idnr says about each:
// {"status": "valid", "type": "fnr"} or {"status": "invalid", "reasons": [...]}.
'use strict'
const { idnr } = require('@navikt/fnrvalidator')

const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', () => {
  const numbers = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  process.stdout.write(JSON.stringify(numbers.map((n) => idnr(n))))
})
