package qboql

import (
	"strconv"
	"strings"
)

// Paging defaults and limits (reference/quickbooks.md §2 "Pagination").
const (
	DefaultMaxResults = 100
	MaxMaxResults     = 1000
)

// Query is a parsed statement.
type Query struct {
	Entity        string      // canonical spelling as given by the Schema (e.g. "Invoice")
	Count         bool        // SELECT COUNT(*)
	Where         []Condition // ANDed
	OrderBy       []Order
	StartPosition int // 1-based; 1 when absent
	MaxResults    int // 100 when absent
}

// Condition is one "<prop> <op> <value>" term of the WHERE clause.
type Condition struct {
	Property string  // canonical spelling from the Schema, dotted when nested
	Op       string  // one of "=", "<", ">", "<=", ">=", "IN", "LIKE"
	Values   []Value // exactly one, except for IN
}

// Value is a literal as written in the statement.
type Value struct {
	Text   string // decoded text: escapes resolved, quotes removed
	Quoted bool   // written as '...'
	Null   bool   // ' ' inside IN (...), which stands for null
}

// Order is one ORDERBY key.
type Order struct {
	Property string // canonical spelling from the Schema
	Desc     bool
}

// Schema tells the parser which entities exist and which properties are
// filterable and sortable. Keys are canonical entity names ("Invoice");
// lookups are case-insensitive.
type Schema map[string]EntitySchema

// EntitySchema lists an entity's filterable and sortable properties by
// canonical name; nested properties are dotted ("MetaData.LastUpdatedTime").
type EntitySchema struct {
	Filterable []string
	Sortable   []string
}

// keywords are the reserved words. OR, NOT, GROUP, JOIN and the like are
// deliberately absent: QBO's parser reports them as <IDENTIFIER>.
var keywords = []string{
	"SELECT", "COUNT", "FROM", "WHERE", "AND", "IN", "LIKE",
	"ORDERBY", "ASC", "DESC", "STARTPOSITION", "MAXRESULTS",
}

// keyword reports the reserved word t spells, in upper case.
func keyword(t token) (string, bool) {
	if t.kind != tokIdent {
		return "", false
	}
	for _, kw := range keywords {
		if strings.EqualFold(t.text, kw) {
			return kw, true
		}
	}
	return "", false
}

// Parse parses statement and checks it against schema. Errors are *Error:
// code 4000 for syntax, 4001 for an unknown entity, a property that is not
// filterable (WHERE) or sortable (ORDERBY), or paging out of range.
func Parse(statement string, schema Schema) (*Query, error) {
	s, err := parse(statement)
	if err != nil {
		return nil, err
	}
	q, err := s.validate(schema)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// parser is a recursive-descent parser over the token slice. Methods that
// can fail return *Error; the first error ends the parse.
type parser struct {
	src  string
	toks []token
	i    int
}

// statement holds what the grammar accepts before names are checked.
type statement struct {
	Query
	startTok, maxTok *token // the STARTPOSITION and MAXRESULTS arguments, when present
}

func parse(src string) (*statement, *Error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	return p.statement()
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) fail() *Error { return syntaxError(p.src, p.peek()) }

// accept consumes the next token if it is the keyword kw.
func (p *parser) accept(kw string) bool {
	if k, ok := keyword(p.peek()); ok && k == kw {
		p.i++
		return true
	}
	return false
}

// acceptPunct consumes the next token if it is the punctuation s.
func (p *parser) acceptPunct(s string) bool {
	if t := p.peek(); t.kind == tokPunct && t.text == s {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kw string) *Error {
	if !p.accept(kw) {
		return p.fail()
	}
	return nil
}

func (p *parser) expectPunct(s string) *Error {
	if !p.acceptPunct(s) {
		return p.fail()
	}
	return nil
}

// name consumes an entity or property name: any word but a reserved one.
func (p *parser) name() (string, *Error) {
	t := p.peek()
	if _, reserved := keyword(t); t.kind != tokIdent || reserved {
		return "", p.fail()
	}
	p.i++
	return t.text, nil
}

// statement = SELECT ( "*" | COUNT "(" "*" ")" ) FROM name
//
//	[ WHERE condition { AND condition } ]
//	[ ORDERBY order { "," order } ]
//	{ STARTPOSITION number | MAXRESULTS number }  (each at most once)
//	EOF
func (p *parser) statement() (*statement, *Error) {
	s := &statement{}
	if err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	switch {
	case p.acceptPunct("*"):
	case p.accept("COUNT"):
		for _, punct := range []string{"(", "*", ")"} {
			if err := p.expectPunct(punct); err != nil {
				return nil, err
			}
		}
		s.Count = true
	default:
		return nil, p.fail()
	}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	var err *Error
	if s.Entity, err = p.name(); err != nil {
		return nil, err
	}
	if p.accept("WHERE") {
		for {
			c, err := p.condition()
			if err != nil {
				return nil, err
			}
			s.Where = append(s.Where, c)
			if !p.accept("AND") {
				break
			}
		}
	}
	if p.accept("ORDERBY") {
		for {
			o, err := p.order()
			if err != nil {
				return nil, err
			}
			s.OrderBy = append(s.OrderBy, o)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
paging:
	for {
		switch {
		case s.startTok == nil && p.accept("STARTPOSITION"):
			if s.startTok, err = p.number(); err != nil {
				return nil, err
			}
		case s.maxTok == nil && p.accept("MAXRESULTS"):
			if s.maxTok, err = p.number(); err != nil {
				return nil, err
			}
		default:
			break paging
		}
	}
	if p.peek().kind != tokEOF {
		return nil, p.fail()
	}
	return s, nil
}

// condition = name ( ("=" | "<" | ">" | "<=" | ">=") value
//
//	| IN "(" value { "," value } ")" | LIKE string )
func (p *parser) condition() (Condition, *Error) {
	var c Condition
	var err *Error
	if c.Property, err = p.name(); err != nil {
		return c, err
	}
	t := p.peek()
	switch kw, _ := keyword(t); {
	case isComparison(t):
		p.i++
		c.Op = t.text
		v, err := p.value(false)
		if err != nil {
			return c, err
		}
		c.Values = []Value{v}
	case kw == "IN":
		p.i++
		c.Op = "IN"
		if err := p.expectPunct("("); err != nil {
			return c, err
		}
		for {
			v, err := p.value(true)
			if err != nil {
				return c, err
			}
			c.Values = append(c.Values, v)
			if !p.acceptPunct(",") {
				break
			}
		}
		if err := p.expectPunct(")"); err != nil {
			return c, err
		}
	case kw == "LIKE":
		p.i++
		c.Op = "LIKE"
		if p.peek().kind != tokString {
			return c, p.fail()
		}
		c.Values = []Value{{Text: p.next().text, Quoted: true}}
	default:
		return c, p.fail()
	}
	return c, nil
}

func isComparison(t token) bool {
	if t.kind != tokPunct {
		return false
	}
	switch t.text {
	case "=", "<", ">", "<=", ">=":
		return true
	}
	return false
}

// value = string | number | true | false. In an IN list, ' ' is null.
func (p *parser) value(inList bool) (Value, *Error) {
	t := p.peek()
	switch {
	case t.kind == tokString:
		p.i++
		return Value{Text: t.text, Quoted: true, Null: inList && t.text == " "}, nil
	case t.kind == tokNumber:
		p.i++
		return Value{Text: t.text}, nil
	case t.kind == tokIdent && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
		p.i++
		return Value{Text: t.text}, nil
	}
	return Value{}, p.fail()
}

// number consumes an unquoted number; its range is checked by validate.
func (p *parser) number() (*token, *Error) {
	t := p.peek()
	if t.kind != tokNumber {
		return nil, p.fail()
	}
	p.i++
	return &t, nil
}

// order = name [ ASC | DESC ]
func (p *parser) order() (Order, *Error) {
	var o Order
	var err *Error
	if o.Property, err = p.name(); err != nil {
		return o, err
	}
	if !p.accept("ASC") {
		o.Desc = p.accept("DESC")
	}
	return o, nil
}

// validate resolves the entity and property names against schema, making
// them canonical, and checks the paging numbers.
func (s *statement) validate(schema Schema) (*Query, *Error) {
	q := s.Query
	name, es, ok := lookupEntity(schema, q.Entity)
	if !ok {
		return nil, validationError("Entity '%s' is not supported", q.Entity)
	}
	q.Entity = name
	for i, c := range q.Where {
		if q.Where[i].Property, ok = lookupName(es.Filterable, c.Property); !ok {
			return nil, validationError("property '%s' is not queryable", c.Property)
		}
	}
	for i, o := range q.OrderBy {
		if q.OrderBy[i].Property, ok = lookupName(es.Sortable, o.Property); !ok {
			return nil, validationError("property '%s' is not queryable", o.Property)
		}
	}
	q.StartPosition, q.MaxResults = 1, DefaultMaxResults
	if s.startTok != nil {
		n, err := strconv.Atoi(s.startTok.text)
		if err != nil || n < 1 {
			return nil, validationError("STARTPOSITION must be a positive integer")
		}
		q.StartPosition = n
	}
	if s.maxTok != nil {
		n, err := strconv.Atoi(s.maxTok.text)
		if err != nil || n < 1 || n > MaxMaxResults {
			return nil, validationError("MAXRESULTS must be between 1 and %d", MaxMaxResults)
		}
		q.MaxResults = n
	}
	return &q, nil
}

func lookupEntity(schema Schema, name string) (string, EntitySchema, bool) {
	if es, ok := schema[name]; ok {
		return name, es, true
	}
	for k, es := range schema {
		if strings.EqualFold(k, name) {
			return k, es, true
		}
	}
	return "", EntitySchema{}, false
}

func lookupName(names []string, name string) (string, bool) {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n, true
		}
	}
	return "", false
}
