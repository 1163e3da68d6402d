package quickbooks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// QBO query statements (reference/quickbooks.md section 2). Every value put
// in a statement goes through QuoteLiteral or checkID; property and entity
// names are constants of this package, checked by the builder anyway.

// maxResults is QBO's page limit (reference section 2 "Pagination").
const maxResults = 1000

// QuoteLiteral returns s as a QBO string literal: in single quotes, each
// quote escaped with a backslash (\'), as Intuit documents. QBO does not
// document how to escape a backslash itself, so a backslash is refused, as
// are control characters (tabs, line breaks, NUL, …) and invalid UTF-8: the
// result can then never end the literal early. Errors are app.Invalid with
// a message for the rep.
func QuoteLiteral(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", app.Errorf(app.Invalid, "Search text for QuickBooks must be valid text.")
	}
	for _, r := range s {
		switch {
		case r == '\\':
			return "", app.Errorf(app.Invalid, "Search text for QuickBooks cannot contain a backslash.")
		case unicode.IsControl(r):
			return "", app.Errorf(app.Invalid, "Search text for QuickBooks cannot contain control characters such as tabs or line breaks.")
		}
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'", nil
}

// maxIDLen bounds an id: QBO ids are small decimal numbers.
const maxIDLen = 20

// checkID accepts a QBO entity id: ^[0-9]+$, at most maxIDLen digits. kind
// names the entity in the message ("invoice").
func checkID(kind, id string) error {
	if id == "" || len(id) > maxIDLen || strings.TrimLeft(id, "0123456789") != "" {
		return app.Errorf(app.Invalid, "%q is not a QuickBooks %s id; ids are digits.", clip(id, 40), kind)
	}
	return nil
}

// identifier matches entity and property names (Invoice, MetaData.LastUpdatedTime).
var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$`)

// statement builds one SELECT. Conditions are ANDed (QBO has no OR). The
// first error sticks and is returned by String.
type statement struct {
	entity string
	where  []string
	order  string
	start  int
	max    int
	err    error
}

// selectFrom starts "SELECT * FROM <entity>".
func selectFrom(entity string) *statement {
	q := &statement{entity: entity}
	if !identifier.MatchString(entity) {
		q.err = fmt.Errorf("quickbooks: bad entity name %q", entity)
	}
	return q
}

func (q *statement) cond(prop, op, value string, err error) *statement {
	switch {
	case q.err != nil:
	case err != nil:
		q.err = err
	case !identifier.MatchString(prop):
		q.err = fmt.Errorf("quickbooks: bad property name %q", prop)
	default:
		q.where = append(q.where, prop+" "+op+" "+value)
	}
	return q
}

// Eq adds "<prop> = '<value>'".
func (q *statement) Eq(prop, value string) *statement {
	lit, err := QuoteLiteral(value)
	return q.cond(prop, "=", lit, err)
}

// IDIn adds "<prop> IN ('1','2',…)" for checked ids of kind.
func (q *statement) IDIn(prop, kind string, ids []string) *statement {
	if len(ids) == 0 {
		return q.cond(prop, "IN", "", fmt.Errorf("quickbooks: IN with no ids"))
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, id := range ids {
		if err := checkID(kind, id); err != nil {
			return q.cond(prop, "IN", "", err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + id + "'")
	}
	b.WriteByte(')')
	return q.cond(prop, "IN", b.String(), nil)
}

// BoolIn adds "<prop> IN (true, false)" style conditions on a boolean
// property: Active IN (true, false) includes inactive rows, which a list
// query otherwise leaves out (reference section 2 "Inactive rows").
func (q *statement) BoolIn(prop string, values ...bool) *statement {
	if len(values) == 0 {
		return q.cond(prop, "IN", "", fmt.Errorf("quickbooks: IN with no values"))
	}
	lits := make([]string, len(values))
	for i, v := range values {
		lits[i] = strconv.FormatBool(v)
	}
	return q.cond(prop, "IN", "("+strings.Join(lits, ", ")+")", nil)
}

// OrderBy sets "ORDERBY <prop> [DESC]".
func (q *statement) OrderBy(prop string, desc bool) *statement {
	if q.err == nil && !identifier.MatchString(prop) {
		q.err = fmt.Errorf("quickbooks: bad property name %q", prop)
	}
	q.order = prop
	if desc {
		q.order += " DESC"
	}
	return q
}

// Page sets STARTPOSITION (1-based; 0 omits it) and MAXRESULTS (1..1000).
func (q *statement) Page(start, max int) *statement {
	if q.err == nil && (start < 0 || max < 1 || max > maxResults) {
		q.err = fmt.Errorf("quickbooks: bad page %d/%d", start, max)
	}
	q.start, q.max = start, max
	return q
}

// String returns the statement, or the first error met while building it.
func (q *statement) String() (string, error) {
	if q.err != nil {
		return "", q.err
	}
	var b strings.Builder
	b.WriteString("SELECT * FROM ")
	b.WriteString(q.entity)
	for i, w := range q.where {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		b.WriteString(w)
	}
	if q.order != "" {
		b.WriteString(" ORDERBY ")
		b.WriteString(q.order)
	}
	if q.start > 0 {
		b.WriteString(" STARTPOSITION ")
		b.WriteString(strconv.Itoa(q.start))
	}
	if q.max > 0 {
		b.WriteString(" MAXRESULTS ")
		b.WriteString(strconv.Itoa(q.max))
	}
	return b.String(), nil
}
