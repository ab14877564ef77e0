// Package delivery implements the file-delivery format that IMDi's source
// systems use (spec/sources.md, "Delivery format"), in both directions: the
// demo-register generator writes deliveries with it and the extract stage
// verifies and reads them.
//
// A delivery is a directory <inbox>/<source>/<delivery_id>/ holding data
// files and a manifest.json that lists each file with its row count and
// sha256. Data files are CSV in the contract's dialect (UTF-8, optional BOM,
// ';' separator, RFC 4180 quoting, LF or CRLF) or JSON Lines, optionally
// gzip-compressed.
//
// The package knows nothing about specific tables: it deals in fields as
// strings, and leaves types and codes to its callers. Errors about a row are
// *RowError values naming file, line and problem; they never carry a field's
// value, since fields hold personal data.
package delivery
