// Fetches the JSON-stat 2.0 dataset at the URL given as the first argument
// with jsonstat-toolkit and writes what the toolkit reads from it as JSON:
// the dataset's class, dimension ids, sizes and roles, the category labels
// and units, and every cell as {indikator, region, aar, value, status};
// and its href, links, notes, extension, each dimension's hierarchy flag,
// and the category notes and children.
'use strict'
const JSONstat = require('jsonstat-toolkit')

async function main () {
  const j = await JSONstat(process.argv[2])
  if (j.class !== 'dataset') throw new Error('not a dataset: ' + j.class + ' ' + JSON.stringify(j.error))
  const ds = j.Dataset(0)
  const labels = {}
  const units = {}
  const notes = {}
  const children = {}
  const hierarchy = {}
  for (const id of ds.id) {
    const dim = ds.Dimension(id)
    labels[id] = {}
    notes[id] = {}
    children[id] = {}
    hierarchy[id] = dim.hierarchy
    dim.id.forEach((c, i) => {
      const cat = dim.Category(i)
      labels[id][c] = cat.label
      if (cat.unit) units[c] = cat.unit
      if (cat.note) notes[id][c] = cat.note
      if (cat.id) children[id][c] = cat.id // the toolkit gives a category's children as its id
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
    notes,
    children,
    hierarchy,
    href: ds.href,
    link: ds.link,
    note: ds.note,
    source: ds.source,
    extension: ds.extension,
    cells
  }))
}

main().catch((e) => { console.error(e); process.exit(1) })
