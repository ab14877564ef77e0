// Validates the portal's OpenAPI document with swagger-parser (against the
// OpenAPI 3.1 schema, $refs resolved), then fetches each path given after
// the base URL and validates its JSON answer with ajv (JSON Schema
// 2020-12, as OpenAPI 3.1 uses) against the schema the document gives for
// that path, method GET and the answer's status. Writes
// {openapi, paths, results: [{path, template, status, valid, errors}]}.
'use strict'
const SwaggerParser = require('@apidevtools/swagger-parser')
const Ajv2020 = require('ajv/dist/2020')

// template finds the document's path that a concrete path matches.
function template (paths, path) {
  const parts = path.split('/')
  for (const t of Object.keys(paths)) {
    const tp = t.split('/')
    if (tp.length === parts.length && tp.every((p, i) => p === parts[i] || /^\{.+\}$/.test(p))) return t
  }
  return null
}

async function main () {
  const [base, ...paths] = process.argv.slice(2)
  const api = await SwaggerParser.validate(base + '/api/v1/openapi.json')
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  const results = []
  for (const p of paths) {
    const resp = await fetch(base + p)
    const path = p.split('?')[0]
    const t = template(api.paths, path)
    const r = { path: p, template: t, status: resp.status, valid: false, errors: null }
    results.push(r)
    if (!t) continue
    const spec = api.paths[t].get.responses[String(resp.status)]
    const ctype = (resp.headers.get('content-type') || '').split(';')[0]
    if (!spec || !spec.content || !spec.content[ctype]) {
      r.errors = 'the document has no answer ' + resp.status + ' ' + ctype
      continue
    }
    const body = await resp.json()
    const validate = ajv.compile(spec.content[ctype].schema)
    r.valid = validate(body)
    r.errors = validate.errors
  }
  process.stdout.write(JSON.stringify({ openapi: api.openapi, paths: Object.keys(api.paths), results }))
}

main().catch((e) => { console.error(e); process.exit(1) })
