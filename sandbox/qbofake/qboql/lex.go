package qboql

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokIdent            // a word: keyword, entity, property (dots allowed) or true/false
	tokString           // a single-quoted literal; text holds the decoded value
	tokNumber           // an unquoted number: optional '-', digits, optional fraction
	tokPunct            // ( ) , * = < > <= >= and the unsupported != <>
)

type token struct {
	kind tokenKind
	text string // decoded value (strings) or the source text (everything else)
	raw  string // the source text, quotes and escapes included
	pos  int    // byte offset of the first character in the statement
}

// lex splits the statement into tokens. The last token is always tokEOF.
func lex(src string) ([]token, *Error) {
	var toks []token
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i == len(src) {
			return append(toks, token{kind: tokEOF, pos: i}), nil
		}
		start := i
		c := src[i]
		switch {
		case isIdentStart(c):
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			toks = append(toks, token{kind: tokIdent, text: src[start:i], raw: src[start:i], pos: start})
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			i++
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
				i += 2
				for i < len(src) && isDigit(src[i]) {
					i++
				}
			}
			toks = append(toks, token{kind: tokNumber, text: src[start:i], raw: src[start:i], pos: start})
		case c == '\'':
			text, end, ok := lexString(src, i)
			if !ok {
				return nil, lexicalError(src, len(src), "<EOF> ", src[start:])
			}
			i = end
			toks = append(toks, token{kind: tokString, text: text, raw: src[start:i], pos: start})
		case strings.ContainsRune("(),*=", rune(c)):
			i++
			toks = append(toks, token{kind: tokPunct, text: src[start:i], raw: src[start:i], pos: start})
		case c == '<' || c == '>' || c == '!' && strings.HasPrefix(src[i:], "!="):
			// != and <> are lexed only so that the parser can name them
			// in its error; no rule accepts them.
			i++
			if i < len(src) && (src[i] == '=' || c == '<' && src[i] == '>') {
				i++
			}
			toks = append(toks, token{kind: tokPunct, text: src[start:i], raw: src[start:i], pos: start})
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, lexicalError(src, start, fmt.Sprintf(`"%s" (%d), `, escape(string(r)), r), "")
		}
	}
}

// lexString reads the quoted literal whose opening quote is src[start]. A
// backslash makes the next character literal, so \' is a quote and \\ a
// backslash (reference/quickbooks.md §2 "Escape"). It reports the decoded
// text and the offset just past the closing quote, or ok=false when the
// statement ends first.
func lexString(src string, start int) (text string, end int, ok bool) {
	var b strings.Builder
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\'':
			return b.String(), i + 1, true
		case '\\':
			i++
			if i == len(src) {
				return "", 0, false
			}
		}
		b.WriteByte(src[i])
	}
	return "", 0, false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
func isIdentStart(c byte) bool { return isLetter(c) }
func isIdentPart(c byte) bool  { return isLetter(c) || isDigit(c) || c == '.' }

// position converts a byte offset into the 1-based line and column (in
// characters) that the error details report.
func position(src string, off int) (line, col int) {
	line, col = 1, 1
	for _, r := range src[:off] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// escape renders s the way JavaCC's add_escapes does in QBO's messages:
// quotes, backslashes and control characters escaped, non-ASCII as \uXXXX.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"', '\'', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r >= 0x20 && r < 0x7f {
				b.WriteRune(r)
				continue
			}
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		}
	}
	return b.String()
}
