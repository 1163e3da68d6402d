package qbofake

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake/qboql"
)

var metaFields = []string{"MetaData.CreateTime", "MetaData.LastUpdatedTime"}

func with(fields ...string) []string { return append(fields, metaFields...) }

// querySchema lists what each entity may filter (WHERE) and sort (ORDERBY)
// on: reference §2 "Filterable fields", plus PrimaryEmailAddr on Customer
// (§2 "Email lookup", [?]), and for Payment, Vendor and Employee the fields
// the reference does not list but integrations use. Anything else is 4001.
var querySchema = qboql.Schema{
	"Invoice": {
		Filterable: with("Id", "DocNumber", "TxnDate", "DueDate", "CustomerRef", "SalesTermRef", "Balance", "TotalAmt"),
		Sortable:   with("Id", "DocNumber", "TxnDate", "DueDate", "Balance", "TotalAmt"),
	},
	"Customer": {
		Filterable: with("Id", "DisplayName", "GivenName", "FamilyName", "CompanyName", "FullyQualifiedName", "Active", "Balance", "PrimaryEmailAddr"),
		Sortable:   with("Id", "DisplayName", "GivenName", "FamilyName", "CompanyName", "FullyQualifiedName", "Balance"),
	},
	"Vendor":   {Filterable: with("Id", "DisplayName", "Active"), Sortable: with("Id", "DisplayName")},
	"Employee": {Filterable: with("Id", "DisplayName", "Active"), Sortable: with("Id", "DisplayName")},
	"Item": {
		Filterable: with("Id", "Name", "Type", "Active", "Taxable", "FullyQualifiedName"),
		Sortable:   with("Id", "Name", "Type", "FullyQualifiedName", "UnitPrice"),
	},
	"TaxCode":     {Filterable: []string{"Id", "Name", "Description", "Active"}, Sortable: []string{"Id", "Name"}},
	"TaxRate":     {Filterable: with("Id", "Name", "Active"), Sortable: with("Id", "Name")},
	"Term":        {Filterable: with("Id", "Name", "Active"), Sortable: with("Id", "Name")},
	"Payment":     {Filterable: with("Id", "TxnDate", "CustomerRef"), Sortable: with("Id", "TxnDate")},
	"Preferences": {},
	"CompanyInfo": {},
}

// activeByDefault are the lists whose SELECT * returns only active rows
// unless the WHERE clause names Active (reference §2 "Inactive rows": Q2
// says so of customers; applying it to the other lists is our choice).
var activeByDefault = map[string]bool{
	"Customer": true, "Vendor": true, "Employee": true, "Item": true, "Term": true, "TaxCode": true,
}

// serveQuery answers GET …/query?query=… and POST …/query with the
// statement as an application/text body (reference §1.1 Headers).
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, rl *realm, body []byte) {
	stmt := r.URL.Query().Get("query")
	if r.Method == http.MethodPost && len(bytes.TrimSpace(body)) > 0 {
		stmt = string(body)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if vals, err := parseQuery(body); err == nil {
				stmt = vals
			}
		}
	}
	rl.mu.Lock()
	resp, e := s.runQuery(rl, stmt)
	rl.mu.Unlock()
	if e != nil {
		s.writeFault(w, rl, e)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"QueryResponse":`)
	b.Write(resp)
	b.WriteString(`,"time":"` + s.wireTime(rl) + `"}`)
	s.writeJSON(w, b.Bytes())
}

func parseQuery(body []byte) (string, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return "", err
	}
	return vals.Get("query"), nil
}

// runQuery runs a statement against a realm (lock held) and returns the
// QueryResponse object (reference §1.9): {"<Entity>":[…],"startPosition":n,
// "maxResults":<rows returned>}, {"totalCount":n} for COUNT, {} when empty.
func (s *Server) runQuery(rl *realm, stmt string) ([]byte, *qboError) {
	if strings.TrimSpace(stmt) == "" {
		return nil, errRequired("query")
	}
	q, err := qboql.Parse(stmt, querySchema)
	if err != nil {
		var qe *qboql.Error
		if errors.As(err, &qe) {
			return nil, &qboError{Code: qe.Code, Message: qe.Message, Detail: qe.Detail}
		}
		return nil, errBusiness(err.Error())
	}
	k := kindByName(q.Entity)
	namesActive := false
	for _, c := range q.Where {
		if strings.EqualFold(c.Property, "Active") {
			namesActive = true
		}
	}
	var objs []stored
	for _, o := range rl.list(k) {
		if activeByDefault[k.name] && !namesActive && !isActive(o) {
			continue
		}
		objs = append(objs, o)
	}
	rows := make([]map[string]any, len(objs))
	for i, o := range objs {
		rows[i] = toRow(o)
		rows[i][rowKey] = i
	}
	opt := qboql.DefaultOptions()
	opt.CaseInsensitiveValues = !s.opt.CaseSensitiveQueryValues
	page, total := q.Run(rows, opt)
	if q.Count {
		return []byte(`{"totalCount":` + strconv.Itoa(total) + `}`), nil
	}
	if len(page) == 0 {
		return []byte(`{}`), nil
	}
	var b bytes.Buffer
	b.WriteString(`{"` + k.name + `":[`)
	for i, row := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustJSON(objs[row[rowKey].(int)]))
	}
	b.WriteString(`],"startPosition":` + strconv.Itoa(q.StartPosition))
	b.WriteString(`,"maxResults":` + strconv.Itoa(len(page)) + `}`)
	return b.Bytes(), nil
}

// rowKey tags each query row with its object's index; QBO property names
// never start with a NUL byte, so it cannot collide.
const rowKey = "\x00row"

// toRow is an object as the decoded JSON object the query engine filters.
func toRow(o stored) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(mustJSON(o)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic("qbofake: row: " + err.Error())
	}
	return m
}

func isActive(o stored) bool {
	switch v := o.(type) {
	case *Customer:
		return v.active()
	case *Vendor:
		return v.active()
	case *Employee:
		return v.active()
	case *Item:
		return v.active()
	case *Term:
		return v.active()
	case *TaxCode:
		return v.active()
	case *TaxRate:
		return v.active()
	}
	return true
}
