package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// FuzzParseQBOWebhook: for any body, parseQBOWebhook does not panic and
// either fails (with no changes) or returns changes whose fields are valid:
// realm, entity, id and operation present, trimmed and valid UTF-8, and a
// LastUpdated in UTC that the queue can encode (JSON, years 0–9999). The
// format follows the body's first byte. The changes, written again as a
// legacy eventNotifications body (and, when they came from CloudEvents, as
// a CloudEvents array), parse back to exactly the same changes.
func FuzzParseQBOWebhook(f *testing.F) {
	for _, s := range []string{
		`[{"specversion":"1.0","id":"a1","source":"intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=","type":"qbo.invoice.updated.v1","datacontenttype":"application/json","time":"2025-09-10T21:31:25.179Z","intuitentityid":"130","intuitaccountid":"9130357766900001","data":{}}]`,
		`[{"type":"qbo.customer.merged.v1","time":"2025-01-02T03:04:05-08:00","intuitentityid":58,"intuitaccountid":"9130357766900002","data":{"deletedid":"59"}}]`,
		`{"eventNotifications":[{"realmId":"9130357766900001","dataChangeEvent":{"entities":[{"name":"Invoice","id":"5","operation":"Update","lastUpdated":"2015-10-05T14:42:19-0700"},{"name":"Payment","id":7,"operation":"create","lastUpdated":"2015-10-05T14:42:19.123Z"}]}}]}`,
		`{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Customer","id":"2","operation":"Merge","lastUpdated":"2024-02-29T00:00:00Z","deletedId":"3"}]}}]}`,
		`{"eventNotifications":[]}`,
		`{"eventNotifications":[{"realmId":"","dataChangeEvent":null}]}`,
		`[{"type":"qbo.invoice.voided","time":"2025-01-01T00:00:00+05","intuitentityid":" 9 ","intuitaccountid":" 1 "},{"type":"bad"}]`,
		`[]`, `{}`, ` `, `null`, `[null]`, `"x"`, `[{"time":1}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		changes, skipped, format, err := parseQBOWebhook(body)
		first := bytes.TrimLeft(body, " \t\r\n")
		switch {
		case len(first) > 0 && first[0] == '[' && format != "cloudevents",
			len(first) > 0 && first[0] == '{' && format != "legacy",
			(len(first) == 0 || first[0] != '[' && first[0] != '{') && (format != "" || err == nil):
			t.Fatalf("format %q, err %v for a body starting %q", format, err, first[:min(len(first), 1)])
		}
		for _, s := range skipped {
			if s == nil || s.Error() == "" {
				t.Fatalf("a skipped notification has no reason: %v", skipped)
			}
		}
		if err != nil {
			if len(changes) > 0 {
				t.Fatalf("error %v with %d changes", err, len(changes))
			}
			return
		}
		for i, c := range changes {
			checkChange(t, i, c)
		}
		if len(changes) == 0 {
			return
		}
		again, skippedAgain, _, err := parseQBOWebhook(legacyBodyOf(changes))
		if err != nil || len(skippedAgain) > 0 || !reflect.DeepEqual(again, changes) {
			t.Fatalf("re-encoded as legacy, %+v parses as %+v (skipped %v, err %v)", changes, again, skippedAgain, err)
		}
		if format == "cloudevents" {
			again, skippedAgain, _, err := parseQBOWebhook(cloudEventsBodyOf(changes))
			if err != nil || len(skippedAgain) > 0 || !reflect.DeepEqual(again, changes) {
				t.Fatalf("re-encoded as CloudEvents, %+v parses as %+v (skipped %v, err %v)", changes, again, skippedAgain, err)
			}
		}
	})
}

func checkChange(t *testing.T, i int, c app.Change) {
	t.Helper()
	for name, v := range map[string]string{"realm": c.RealmID, "entity": c.Entity, "id": c.EntityID, "operation": c.Operation, "deletedId": c.DeletedID} {
		if v == "" && name != "deletedId" {
			t.Fatalf("change %d has no %s: %+v", i, name, c)
		}
		if !utf8.ValidString(v) || strings.TrimSpace(v) != v {
			t.Fatalf("change %d: %s %q is not trimmed, valid text", i, name, v)
		}
	}
	if c.LastUpdated.IsZero() || c.LastUpdated.Location() != time.UTC {
		t.Fatalf("change %d: LastUpdated %v is not a UTC time", i, c.LastUpdated)
	}
	if _, err := json.Marshal(c.LastUpdated); err != nil {
		t.Fatalf("change %d: LastUpdated %v cannot be queued: %v", i, c.LastUpdated, err)
	}
}

// legacyBodyOf writes changes as {"eventNotifications":[…]}, one
// notification per change.
func legacyBodyOf(changes []app.Change) []byte {
	type entity struct {
		Name        string `json:"name"`
		ID          string `json:"id"`
		Operation   string `json:"operation"`
		LastUpdated string `json:"lastUpdated"`
		DeletedID   string `json:"deletedId,omitempty"`
	}
	type notification struct {
		RealmID         string `json:"realmId"`
		DataChangeEvent struct {
			Entities []entity `json:"entities"`
		} `json:"dataChangeEvent"`
	}
	var body struct {
		EventNotifications []notification `json:"eventNotifications"`
	}
	body.EventNotifications = []notification{}
	for _, c := range changes {
		n := notification{RealmID: c.RealmID}
		n.DataChangeEvent.Entities = []entity{{Name: c.Entity, ID: c.EntityID, Operation: c.Operation,
			LastUpdated: c.LastUpdated.Format(time.RFC3339Nano), DeletedID: c.DeletedID}}
		body.EventNotifications = append(body.EventNotifications, n)
	}
	out, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return out
}

// cloudEventsBodyOf writes changes as a CloudEvents array.
func cloudEventsBodyOf(changes []app.Change) []byte {
	verbs := map[string]string{}
	for verb, op := range cloudEventVerbs {
		verbs[op] = verb
	}
	type event struct {
		Type            string            `json:"type"`
		Time            string            `json:"time"`
		IntuitEntityID  string            `json:"intuitentityid"`
		IntuitAccountID string            `json:"intuitaccountid"`
		Data            map[string]string `json:"data,omitempty"`
	}
	events := []event{}
	for _, c := range changes {
		verb, ok := verbs[c.Operation]
		if !ok {
			verb = strings.ToLower(c.Operation)
		}
		e := event{Type: "qbo." + strings.ToLower(c.Entity) + "." + verb + ".v1", Time: c.LastUpdated.Format(time.RFC3339Nano),
			IntuitEntityID: c.EntityID, IntuitAccountID: c.RealmID}
		if c.DeletedID != "" {
			e.Data = map[string]string{"deletedid": c.DeletedID}
		}
		events = append(events, e)
	}
	out, err := json.Marshal(events)
	if err != nil {
		panic(err)
	}
	return out
}
