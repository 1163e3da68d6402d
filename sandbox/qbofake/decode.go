package qbofake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// QBO deserialises request bodies with Jackson and rejects any property its
// schema class does not know with 2010, naming the property and the class
// (reference §1.1 "Unknown input property", R1 error/400_json.yml). Go's
// encoding/json matches names case-insensitively and silently drops unknown
// ones, so decodeStrict first walks the raw JSON against the target type,
// matching names exactly as Jackson does, and only then unmarshals.

const javaPackage = "com.intuit.schema.finance.v3."

// javaClass maps our Go type names to the schema classes QBO names in 2010
// Details; types missing here keep their Go name.
var javaClass = map[string]string{
	"Ref":          "ReferenceType",
	"Address":      "PhysicalAddress",
	"Phone":        "TelephoneNumber",
	"WebAddr":      "WebSiteAddress",
	"MetaData":     "ModificationMetaData",
	"PaymentLine":  "Line",
	"invoiceInput": "Invoice",
}

// decodeStrict unmarshals body into v, a pointer to a struct.
func decodeStrict(body []byte, v any) *qboError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return errUnsupportedProperty("Unable to parse the request body: " + err.Error())
	}
	if _, ok := tree.(map[string]any); !ok {
		return errUnsupportedProperty("the request body must be a JSON object")
	}
	if e := checkKnown(tree, reflect.TypeOf(v)); e != nil {
		return e
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errUnsupportedProperty(describeUnmarshalError(err))
	}
	return nil
}

func errUnsupportedProperty(what string) *qboError {
	return &qboError{
		Code:    "2010",
		Message: "Request has invalid or unsupported property",
		Detail:  "Property Name:" + what + "\n specified is unsupported or invalid",
	}
}

func describeUnmarshalError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("Can not deserialize value of property %q from %s", te.Field, te.Value)
	}
	return err.Error()
}

// checkKnown reports the first object key that t has no exactly-named field for.
func checkKnown(node any, t reflect.Type) *qboError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isLeafType(t) {
		return nil
	}
	switch n := node.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil // maps and interfaces take anything; type errors come from Unmarshal
		}
		fields := jsonFields(t)
		for _, key := range sortedKeys(n) {
			ft, ok := fields.byName[key]
			if !ok {
				return unknownProperty(key, t, fields.names)
			}
			if e := checkKnown(n[key], ft); e != nil {
				return e
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return nil
		}
		for _, el := range n {
			if e := checkKnown(el, t.Elem()); e != nil {
				return e
			}
		}
	}
	return nil
}

// unknownProperty builds Jackson's message as QBO relays it.
func unknownProperty(key string, t reflect.Type, names []string) *qboError {
	class := t.Name()
	if c, ok := javaClass[class]; ok {
		class = c
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = `"` + n + `"`
	}
	list := strings.Join(quoted, ", ")
	if len(list) > 1000 {
		list = list[:strings.LastIndex(list[:1000], ",")] + " [truncated]"
	}
	return errUnsupportedProperty(fmt.Sprintf(
		`Unrecognized field "%s" (class %s%s), not marked as ignorable (%d known properties: %s])`,
		key, javaPackage, class, len(names), list))
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// isLeafType is true for types that decode themselves (Money, Date, …) and
// for scalars.
func isLeafType(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map, reflect.Interface:
		return false
	}
	return true
}

type fieldSet struct {
	byName map[string]reflect.Type
	names  []string
}

var fieldCache sync.Map // reflect.Type → *fieldSet

// jsonFields lists the JSON names of t's fields, promoting embedded structs
// the way encoding/json does.
func jsonFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{byName: map[string]reflect.Type{}}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, dup := fs.byName[name]; !dup {
				fs.names = append(fs.names, name)
			}
			fs.byName[name] = f.Type
		}
	}
	walk(t)
	fieldCache.Store(t, fs)
	return fs
}

// sortedKeys orders keys so the first unknown one reported is stable.
func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
