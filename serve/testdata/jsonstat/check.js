// Fetches the JSON-stat 2.0 dataset at the URL given as the first argument
// with jsonstat-toolkit and writes what the toolkit reads from it as JSON:
// the dataset's class, dimension ids, sizes and roles, the category labels
// and units, and every cell as {indikator, region, aar, value, status}.
'use strict'
const JSONstat = require('jsonstat-toolkit')

async function main () {
  const j = await JSONstat(process.argv[2])
  if (j.class !== 'dataset') throw new Error('not a dataset: ' + j.class + ' ' + JSON.stringify(j.error))
  const ds = j.Dataset(0)
  const labels = {}
  const units = {}
  for (const id of ds.id) {
    const dim = ds.Dimension(id)
    labels[id] = {}
    dim.id.forEach((c, i) => {
      const cat = dim.Category(i)
      labels[id][c] = cat.label
      if (cat.unit) units[c] = cat.unit
    })
  }
  const cells = ds.Unflatten((coords, d) => ({ ...coords, value: d.value, status: d.status }))
  process.stdout.write(JSON.stringify({
    class: ds.class,
    id: ds.id,
    size: ds.size,
    role: ds.role,
    updated: ds.updated,
    n: ds.n,
    labels,
    units,
    cells
  }))
}

main().catch((e) => { console.error(e); process.exit(1) })
