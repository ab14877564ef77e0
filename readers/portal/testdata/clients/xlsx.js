// Reads the Excel workbook at the URL given as the first argument with
// SheetJS (independent of the excelize library that wrote it) and writes
// every sheet as rows of cells {t: type, v: value}: t is 'n' for a
// number, 's' for text.
'use strict'
const XLSX = require('xlsx')

async function main () {
  const resp = await fetch(process.argv[2])
  if (!resp.ok) throw new Error(resp.status + ' ' + await resp.text())
  const wb = XLSX.read(Buffer.from(await resp.arrayBuffer()), { type: 'buffer' })
  const sheets = {}
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name]
    const range = XLSX.utils.decode_range(ws['!ref'])
    const rows = []
    for (let r = range.s.r; r <= range.e.r; r++) {
      const row = []
      for (let c = range.s.c; c <= range.e.c; c++) {
        const cell = ws[XLSX.utils.encode_cell({ r, c })]
        row.push(cell ? { t: cell.t, v: cell.v } : null)
      }
      rows.push(row)
    }
    sheets[name] = rows
  }
  process.stdout.write(JSON.stringify({ names: wb.SheetNames, sheets }))
}

main().catch((e) => { console.error(e); process.exit(1) })
