package qboql

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options tune how values are compared.
type Options struct {
	// CaseInsensitiveValues folds case when comparing string values
	// (=, <, >, IN, LIKE and ORDERBY). QBO's documentation mirror says
	// values are case-insensitive, unverified on live data
	// (reference/quickbooks.md §2 "Case"). The zero Options compares
	// case-sensitively; DefaultOptions follows the documentation.
	CaseInsensitiveValues bool
}

// DefaultOptions returns the options that match QBO's documented behaviour:
// case-insensitive value comparison.
func DefaultOptions() Options { return Options{CaseInsensitiveValues: true} }

// Match reports whether one entity (a decoded JSON object, numbers as
// json.Number or float64) satisfies every condition of the WHERE clause.
func (q *Query) Match(entity map[string]any, opt Options) bool {
	for _, c := range q.Where {
		if !c.match(entity, opt) {
			return false
		}
	}
	return true
}

// Run filters rows with Match, sorts the matches by OrderBy (stable, so
// without ORDERBY the input order is kept) and returns the page selected
// by StartPosition and MaxResults, plus the number of matches. The page
// shares the row maps with rows and is nil when empty (QBO then omits the
// entity key, reference/quickbooks.md §1.9). A Count query runs the same
// way; its caller needs only total.
func (q *Query) Run(rows []map[string]any, opt Options) (page []map[string]any, total int) {
	var matched []map[string]any
	for _, r := range rows {
		if q.Match(r, opt) {
			matched = append(matched, r)
		}
	}
	if len(q.OrderBy) > 0 {
		slices.SortStableFunc(matched, func(a, b map[string]any) int {
			for _, o := range q.OrderBy {
				c := compareFields(resolve(a, o.Property), resolve(b, o.Property), opt)
				if o.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	start := max(q.StartPosition, 1) - 1
	if start >= len(matched) {
		return nil, len(matched)
	}
	n := q.MaxResults
	if n < 1 {
		n = DefaultMaxResults
	}
	end := start + min(n, len(matched)-start)
	return matched[start:end:end], len(matched)
}

func (c Condition) match(entity map[string]any, opt Options) bool {
	f := resolve(entity, c.Property)
	switch c.Op {
	case "IN":
		for _, v := range c.Values {
			if v.Null {
				if f.kind == kindNull {
					return true
				}
			} else if cmp, ok := compareLiteral(f, v.Text, opt); ok && cmp == 0 {
				return true
			}
		}
		return false
	case "LIKE":
		if f.kind == kindNull || f.kind == kindOther || len(c.Values) != 1 {
			return false
		}
		text, pattern := f.text, c.Values[0].Text
		if opt.CaseInsensitiveValues {
			text, pattern = strings.ToLower(text), strings.ToLower(pattern)
		}
		return like(text, pattern)
	}
	if len(c.Values) != 1 {
		return false
	}
	cmp, ok := compareLiteral(f, c.Values[0].Text, opt)
	if !ok {
		return false
	}
	switch c.Op {
	case "=":
		return cmp == 0
	case "<":
		return cmp < 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	case ">=":
		return cmp >= 0
	}
	return false
}

// like matches text against pattern, where % stands for any run of
// characters and every other character, _ included, for itself
// (reference/quickbooks.md §2 "LIKE wildcard").
func like(text, pattern string) bool {
	parts := strings.Split(pattern, "%")
	if len(parts) == 1 {
		return text == pattern
	}
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(text, first) {
		return false
	}
	text = text[len(first):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(text, mid)
		if i < 0 {
			return false
		}
		text = text[i+len(mid):]
	}
	return strings.HasSuffix(text, last)
}

type fieldKind int

const (
	kindNull   fieldKind = iota // absent or JSON null
	kindString                  // a JSON string
	kindNumber                  // a JSON number
	kindBool                    // a JSON boolean
	kindOther                   // an object or array nothing can be compared with
)

// field is a property value resolved from an entity.
type field struct {
	kind fieldKind
	text string // the string, the number's decimal text, or "true"/"false"
}

// refKeys are tried, in order, when a property resolves to an object:
// references compare on value (CustomerRef = '58'), email addresses on
// Address (PrimaryEmailAddr = 'x@y'), phone numbers on FreeFormNumber.
var refKeys = []string{"value", "Address", "FreeFormNumber"}

// resolve walks a dotted property path through entity. Keys match exactly
// or, failing that, case-insensitively.
func resolve(entity map[string]any, property string) field {
	var cur any = entity
	for part := range strings.SplitSeq(property, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return field{kind: kindNull}
		}
		cur = member(m, part)
	}
	if m, ok := cur.(map[string]any); ok {
		cur = nil
		for _, k := range refKeys {
			if v, ok := m[k]; ok {
				cur = v
				break
			}
		}
		if cur == nil {
			return field{kind: kindOther}
		}
	}
	switch v := cur.(type) {
	case nil:
		return field{kind: kindNull}
	case string:
		return field{kind: kindString, text: v}
	case bool:
		return field{kind: kindBool, text: strconv.FormatBool(v)}
	case json.Number:
		return numberField(v.String())
	case float64:
		return numberField(strconv.FormatFloat(v, 'f', -1, 64))
	case float32:
		return numberField(strconv.FormatFloat(float64(v), 'f', -1, 32))
	case int:
		return numberField(strconv.Itoa(v))
	case int64:
		return numberField(strconv.FormatInt(v, 10))
	}
	return field{kind: kindOther}
}

func member(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// numberField keeps a JSON number as plain decimal text, rewriting
// exponent forms (1e3) when they fit a float64.
func numberField(s string) field {
	if _, ok := parseDecimal(s); !ok {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			s = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return field{kind: kindNumber, text: s}
}

// compareLiteral compares a property value with a literal's text. It
// reports ok=false when they cannot be compared (null, objects, or a
// boolean against anything but true/false).
func compareLiteral(f field, lit string, opt Options) (int, bool) {
	switch f.kind {
	case kindNull, kindOther:
		return 0, false
	case kindBool:
		var b bool
		switch {
		case strings.EqualFold(lit, "true"):
			b = true
		case strings.EqualFold(lit, "false"):
		default:
			return 0, false
		}
		return compareBool(f.text == "true", b), true
	}
	return compareText(f.text, lit, opt), true
}

// compareFields orders two property values for ORDERBY: null first, then
// by compareText. Booleans sort false before true.
func compareFields(a, b field, opt Options) int {
	an, bn := a.kind == kindNull || a.kind == kindOther, b.kind == kindNull || b.kind == kindOther
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	case a.kind == kindBool && b.kind == kindBool:
		return compareBool(a.text == "true", b.text == "true")
	}
	return compareText(a.text, b.text, opt)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// compareText compares numerically when both sides are decimal numbers
// (TotalAmt > '300.00'), as instants when both are dates or datetimes
// (TxnDate, MetaData.LastUpdatedTime), and as strings otherwise.
func compareText(a, b string, opt Options) int {
	if x, ok := parseDecimal(a); ok {
		if y, ok := parseDecimal(b); ok {
			return x.compare(y)
		}
	}
	if x, ok := parseWhen(a); ok {
		if y, ok := parseWhen(b); ok {
			return compareWhen(x, y)
		}
	}
	if opt.CaseInsensitiveValues {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	return strings.Compare(a, b)
}

// decimal is an exact decimal number: sign, integer digits without leading
// zeros, fraction digits without trailing zeros. Comparing digit strings
// avoids float rounding and the cost of big numbers with huge exponents.
type decimal struct {
	neg       bool
	int, frac string
}

// parseDecimal accepts [+-]digits[.[digits]] and [+-].digits.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	if s != "" && (s[0] == '-' || s[0] == '+') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return decimal{}, false
	}
	d.int = strings.TrimLeft(intPart, "0")
	d.frac = strings.TrimRight(frac, "0")
	if d.int == "" && d.frac == "" {
		d.neg = false // -0 == 0
	}
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func (x decimal) compare(y decimal) int {
	if x.neg != y.neg {
		if x.neg {
			return -1
		}
		return 1
	}
	c := len(x.int) - len(y.int)
	if c == 0 {
		c = strings.Compare(x.int, y.int)
	}
	if c == 0 {
		c = strings.Compare(x.frac, y.frac)
	}
	c = min(max(c, -1), 1)
	if x.neg {
		return -c
	}
	return c
}

// when is a date (2024-01-31) or datetime (2020-09-29T05:58:07-07:00)
// value. zoned is false for a date or a datetime without an offset.
type when struct {
	t     time.Time
	zoned bool
}

func parseWhen(s string) (when, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return when{}, false
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return when{t: t}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return when{t: t, zoned: true}, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return when{t: t}, true
	}
	return when{}, false
}

// compareWhen compares two instants. A value without an offset (a date, or
// a datetime without one) is read in the other value's offset, so
// '2020-09-29' against 2020-09-29T05:58:07-07:00 means
// 2020-09-29T00:00:00-07:00. Two values without offsets compare as UTC.
func compareWhen(x, y when) int {
	switch {
	case x.zoned && !y.zoned:
		y.t = inLocation(y.t, x.t.Location())
	case y.zoned && !x.zoned:
		x.t = inLocation(x.t, y.t.Location())
	}
	return x.t.Compare(y.t)
}

func inLocation(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}
