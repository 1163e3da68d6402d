package qbofake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// maxBatchItems is QBO's limit per batch request (reference §4, L2).
const maxBatchItems = 30

// serveBatch answers POST …/batch (reference §4 "Batch wire format"): up to
// 30 items, each a create, update, delete or void (update with
// "optionsData":"void") of one entity, or a Query. The answer is HTTP 200
// with one BatchItemResponse per item, in request order, each carrying its
// bId and either the entity, a QueryResponse or its own Fault.
//
// Deviation: QBO runs items independently, so one cannot see another's
// create; the fake runs them in order under one lock, so a later item does
// see an earlier one's effects.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, rl *realm, body []byte) {
	var req struct {
		BatchItemRequest []map[string]json.RawMessage `json:"BatchItemRequest"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		s.writeFault(w, rl, errUnsupportedProperty("Unable to parse the batch request: "+err.Error()))
		return
	}
	if len(req.BatchItemRequest) == 0 {
		s.writeFault(w, rl, errRequired("BatchItemRequest"))
		return
	}
	if len(req.BatchItemRequest) > maxBatchItems {
		s.writeFault(w, rl, errBatchTooBig(maxBatchItems))
		return
	}
	opt := writeOpts{invoice: invoiceOpts{allowDuplicateDocNum: hasInclude(r, "allowduplicatedocnum")}}

	rl.mu.Lock()
	wk := s.begin(rl)
	var b bytes.Buffer
	b.WriteString(`{"BatchItemResponse":[`)
	for i, item := range req.BatchItemRequest {
		if i > 0 {
			b.WriteByte(',')
		}
		key, out := s.batchItem(wk, item, opt)
		b.WriteString(`{"` + key + `":`)
		b.Write(out)
		b.WriteString(`,"bId":`)
		b.Write(mustJSON(stringField(item, "bId")))
		b.WriteString(`}`)
	}
	b.WriteString(`],"time":"` + s.wireTime(rl) + `"}`)
	rl.mu.Unlock()
	s.publish(wk)
	s.writeJSON(w, b.Bytes())
}

// batchItem runs one item and returns the answer's key ("Invoice",
// "QueryResponse" or "Fault") and JSON value.
func (s *Server) batchItem(wk *work, item map[string]json.RawMessage, opt writeOpts) (string, []byte) {
	fault := func(e *qboError) (string, []byte) { return "Fault", mustJSON(e.fault()) }
	if raw, ok := item["Query"]; ok {
		var stmt string
		if err := json.Unmarshal(raw, &stmt); err != nil {
			return fault(errUnsupportedProperty("Query must be a string"))
		}
		out, e := s.runQuery(wk.r, stmt)
		if e != nil {
			return fault(e)
		}
		return "QueryResponse", out
	}
	var k *kind
	var entity json.RawMessage
	for name, raw := range item {
		switch name {
		case "bId", "operation", "optionsData":
			continue
		}
		if k = kindByName(name); k == nil || k.name != name {
			return fault(errUnsupportedProperty(`Unrecognized field "` + name + `" in BatchItemRequest`))
		}
		entity = raw
	}
	if k == nil {
		return fault(errRequired("BatchItemRequest entity"))
	}
	op := strings.ToLower(stringField(item, "operation"))
	if op == "" {
		return fault(errRequired("operation"))
	}
	if op == "update" && strings.EqualFold(stringField(item, "optionsData"), "void") {
		op = "void"
	}
	v, e := wk.write(k, op, entity, opt)
	if e != nil {
		return fault(e)
	}
	return k.name, mustJSON(v)
}

func stringField(item map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(item[key], &s)
	return s
}
