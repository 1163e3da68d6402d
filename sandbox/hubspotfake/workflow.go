package hubspotfake

import (
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"
)

// RouteActionCallbackComplete is the route name of a custom workflow
// action's completion callback, for faults and counters.
const RouteActionCallbackComplete = "automation.actions.callback_complete"

// ActionCompletion is one completion of a blocked custom workflow action
// execution, as the app posted it.
type ActionCompletion struct {
	PortalID     int64 // the portal of the token that completed it
	CallbackID   string
	OutputFields map[string]string
	At           time.Time
}

// completionLog holds a Server's workflow action completions; the fake
// knows no executions, so every well-formed completion is recorded.
type completionLog struct {
	mu   sync.Mutex
	list []ActionCompletion
}

func (s *Server) completions() *completionLog { return &s.actions }

// handleActionCallbackComplete is POST
// /automation/v4/actions/callbacks/{callbackId}/complete
// (reference/hubspot.md section 5): the body is {"outputFields":{…}} whose
// hs_execution_state, when given, must be SUCCESS or FAIL_CONTINUE (BLOCK
// is an answer to the execution request, not a completion). Output values
// may be strings, numbers or booleans. HubSpot's API reference answers 204
// with no body; so does the fake.
func (s *Server) handleActionCallbackComplete(c *call) {
	var body struct {
		OutputFields map[string]any `json:"outputFields"`
	}
	if e := c.decode(&body); e != nil {
		c.fail(e)
		return
	}
	if body.OutputFields == nil {
		c.fail(errValidation("outputFields is required"))
		return
	}
	out := make(map[string]string, len(body.OutputFields))
	for k, v := range body.OutputFields {
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64, bool:
			out[k] = fmt.Sprint(v)
		default:
			c.fail(errValidation("outputFields.%s must be a string, number or boolean", k))
			return
		}
	}
	if st, ok := out["hs_execution_state"]; ok && st != "SUCCESS" && st != "FAIL_CONTINUE" {
		c.fail(errValidation("hs_execution_state %q cannot complete a callback; use SUCCESS or FAIL_CONTINUE", st))
		return
	}
	l := s.completions()
	l.mu.Lock()
	l.list = append(l.list, ActionCompletion{PortalID: c.who.portalID, CallbackID: c.r.PathValue("callbackId"), OutputFields: out, At: c.now})
	l.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// ActionCompletions returns the completions posted with portalID's tokens
// (every portal's when portalID is 0), oldest first.
func (s *Server) ActionCompletions(portalID int64) []ActionCompletion {
	l := s.completions()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ActionCompletion
	for _, a := range l.list {
		if portalID == 0 || a.PortalID == portalID {
			a.OutputFields = maps.Clone(a.OutputFields)
			out = append(out, a)
		}
	}
	return out
}
