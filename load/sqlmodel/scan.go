package sqlmodel

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies the few SQL tokens the loader cares about.
type tokenKind int

const (
	tokIdent tokenKind = iota // a bare or double-quoted identifier or keyword
	tokSemi                   // ;
	tokOther                  // any other significant token: numbers, operators, punctuation, string literals
)

// token is one significant token of a query; comments and whitespace are not tokens.
type token struct {
	kind   tokenKind
	text   string // the identifier without quotes; the first byte of other tokens
	off    int    // byte offset in the scanned text
	quoted bool   // a "quoted" identifier, never a keyword
}

// scanSQL splits src into the tokens that matter for checking a model: identifiers
// (so that mentions in comments and string literals are not mistaken for uses),
// semicolons and everything else. It knows DuckDB's comments (-- and /* */),
// string literals ('...', E'...' with backslash escapes, $tag$...$tag$) and
// quoted identifiers ("..."), a doubled quote standing for itself in both.
// The error gives the offset where an unterminated literal or comment starts.
func scanSQL(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(src[i:], "--"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				return toks, nil
			}
			i += end + 1
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &scanError{off: i, what: "block comment /* is not closed"}
			}
			i += 2 + end + 2
		case c == '\'':
			end, err := skipQuoted(src, i, '\'', false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokOther, text: "'", off: i})
			i = end
		case c == '"':
			end, err := skipQuoted(src, i, '"', false)
			if err != nil {
				return nil, err
			}
			name := strings.ReplaceAll(src[i+1:end-1], `""`, `"`)
			toks = append(toks, token{kind: tokIdent, text: name, off: i, quoted: true})
			i = end
		case c == '$':
			tag, ok := dollarTag(src[i:])
			if !ok {
				toks = append(toks, token{kind: tokOther, text: "$", off: i})
				i++
				continue
			}
			end := strings.Index(src[i+len(tag):], tag)
			if end < 0 {
				return nil, &scanError{off: i, what: "dollar-quoted string " + tag + " is not closed"}
			}
			toks = append(toks, token{kind: tokOther, text: "$", off: i})
			i += len(tag) + end + len(tag)
		case c == ';':
			toks = append(toks, token{kind: tokSemi, text: ";", off: i})
			i++
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isIdentByte(src, i) || src[i] == '.') {
				i += runeLen(src, i)
			}
			toks = append(toks, token{kind: tokOther, text: src[start : start+1], off: start})
		case isIdentStart(src, i):
			start := i
			for i < len(src) && isIdentByte(src, i) {
				i += runeLen(src, i)
			}
			word := src[start:i]
			if (word == "e" || word == "E") && i < len(src) && src[i] == '\'' {
				end, err := skipQuoted(src, i, '\'', true)
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{kind: tokOther, text: "'", off: start})
				i = end
				continue
			}
			toks = append(toks, token{kind: tokIdent, text: word, off: start})
		default:
			toks = append(toks, token{kind: tokOther, text: src[i : i+1], off: i})
			i += runeLen(src, i)
		}
	}
	return toks, nil
}

// endsFrom holds the keywords that end a FROM clause at their depth of parentheses.
var endsFrom = map[string]bool{
	"where": true, "group": true, "having": true, "qualify": true, "window": true, "order": true,
	"limit": true, "offset": true, "union": true, "intersect": true, "except": true, "select": true,
}

// relationUses returns the identifiers of toks that stand where a relation is
// read: after FROM or JOIN, after a comma in a FROM clause, the last part of a
// qualified name there (main.x reads x). Column names, aliases and functions
// elsewhere in the query are not uses, so a column named like a model (the
// column region of many models beside the model region) is not taken for one.
// Names of the query's own common table expressions (WITH x AS (...)) are left
// out: they hide a model of that name.
func relationUses(toks []token) []token {
	keyword := func(i int, w string) bool {
		return i >= 0 && i < len(toks) && toks[i].kind == tokIdent && !toks[i].quoted && strings.EqualFold(toks[i].text, w)
	}
	punct := func(i int, p string) bool {
		return i >= 0 && i < len(toks) && toks[i].kind == tokOther && toks[i].text == p
	}
	ctes := map[string]bool{}
	for i, t := range toks {
		j := i + 2
		if keyword(j, "not") {
			j++
		}
		if keyword(j, "materialized") {
			j++
		}
		if t.kind == tokIdent && keyword(i+1, "as") && punct(j, "(") {
			ctes[strings.ToLower(t.text)] = true
		}
	}
	var uses []token
	depth := 0
	inFrom := map[int]bool{} // depth -> inside a FROM clause at that depth
	expect := false          // the next identifier names a relation
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := false
		switch {
		case punct(i, "("):
			depth++
			inFrom[depth] = false
		case punct(i, ")"):
			inFrom[depth] = false
			depth--
		case punct(i, ","):
			next = inFrom[depth]
		case t.kind != tokIdent:
		case expect:
			for punct(i+1, ".") && i+2 < len(toks) && toks[i+2].kind == tokIdent {
				i += 2
			}
			if !ctes[strings.ToLower(toks[i].text)] {
				uses = append(uses, toks[i])
			}
		case keyword(i, "from") && !keyword(i-1, "distinct"): // not IS [NOT] DISTINCT FROM
			inFrom[depth] = true
			next = true
		case keyword(i, "join"):
			next = true
		case !t.quoted && endsFrom[strings.ToLower(t.text)]:
			inFrom[depth] = false
		}
		expect = next
	}
	return uses
}

// scanError is an unterminated literal or comment at a byte offset.
type scanError struct {
	off  int
	what string
}

func (e *scanError) Error() string { return e.what }

// skipQuoted returns the offset just after the literal starting with the quote q at src[start].
// A doubled quote is an escaped quote; with backslash, \ escapes the next byte too.
func skipQuoted(src string, start int, q byte, backslash bool) (int, error) {
	for i := start + 1; i < len(src); i++ {
		switch {
		case backslash && src[i] == '\\':
			i++
		case src[i] == q && i+1 < len(src) && src[i+1] == q:
			i++
		case src[i] == q:
			return i + 1, nil
		}
	}
	what := "string literal ' is not closed"
	if q == '"' {
		what = `quoted identifier " is not closed`
	}
	return 0, &scanError{off: start, what: what}
}

// dollarTag reports the opening $tag$ of a dollar-quoted string at the start of s.
// $1 (a parameter) and a lone $ are not tags.
func dollarTag(s string) (string, bool) {
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			return s[:i+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 1 && c >= '0' && c <= '9':
		default:
			return "", false
		}
	}
	return "", false
}

func isIdentStart(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r == '_' || unicode.IsLetter(r)
}

func isIdentByte(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func runeLen(s string, i int) int {
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

// lineOf returns the line of byte offset off in s, whose first line is line first.
func lineOf(s string, off, first int) int {
	return first + strings.Count(s[:off], "\n")
}

// quoteIdent quotes name as a SQL identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// errAt formats a problem at a line of a file, the form every parse error takes.
func errAt(path string, line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
}
