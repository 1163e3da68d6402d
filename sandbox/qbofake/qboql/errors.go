package qboql

import "fmt"

// Error codes carried by *Error. The fake answers both with HTTP 400 and a
// ValidationFault envelope (reference/quickbooks.md §1.10).
const (
	CodeParse      = "4000" // QueryParserError: the statement is not in the grammar
	CodeValidation = "4001" // QueryValidationError: grammatical, but names or limits are wrong
)

// Error is a query error. Code, Message and Detail are what the fault's
// Error[0].code, Message and Detail should say.
type Error struct {
	Code    string
	Message string
	Detail  string
}

func (e *Error) Error() string {
	return "qboql: " + e.Code + " " + e.Message + ": " + e.Detail
}

// syntaxError reports an unexpected token in JavaCC's ParseException shape,
// as QBO does: Encountered " <IDENTIFIER> "OR "" at line 1, column 45.
func syntaxError(src string, t token) *Error {
	line, col := position(src, t.pos)
	what := "<EOF>"
	if t.kind != tokEOF {
		what = fmt.Sprintf(` %s "%s "`, tokenLabel(t), escape(t.raw))
	}
	return &Error{
		Code:    CodeParse,
		Message: "Error parsing query",
		Detail:  fmt.Sprintf(`QueryParserError: Encountered "%s" at line %d, column %d.`, what, line, col),
	}
}

// lexicalError reports a character no token can start with, or a string
// literal the statement ends inside, in JavaCC's TokenMgrError shape.
func lexicalError(src string, off int, encountered, after string) *Error {
	line, col := position(src, off)
	return &Error{
		Code:    CodeParse,
		Message: "Error parsing query",
		Detail: fmt.Sprintf(`QueryParserError: Lexical error at line %d, column %d.  Encountered: %safter : "%s"`,
			line, col, encountered, escape(after)),
	}
}

func validationError(format string, args ...any) *Error {
	return &Error{
		Code:    CodeValidation,
		Message: "Invalid query",
		Detail:  "QueryValidationError: " + fmt.Sprintf(format, args...),
	}
}

// tokenLabel names a token's kind as JavaCC's tokenImage table would.
func tokenLabel(t token) string {
	switch t.kind {
	case tokIdent:
		if kw, ok := keyword(t); ok {
			return `"` + kw + `"`
		}
		return "<IDENTIFIER>"
	case tokString:
		return "<STRING_LITERAL>"
	case tokNumber:
		for i := 0; i < len(t.raw); i++ {
			if t.raw[i] == '.' {
				return "<DECIMAL_LITERAL>"
			}
		}
		return "<INTEGER_LITERAL>"
	default:
		return `"` + escape(t.raw) + `"`
	}
}
