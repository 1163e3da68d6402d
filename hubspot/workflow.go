package hubspot

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

var _ app.WorkflowCallbacks = (*Client)(nil)

// CompleteWorkflowAction completes a workflow action execution that was
// answered BLOCK (reference/hubspot.md section 5):
//
//	POST /automation/v4/actions/callbacks/{callbackId}/complete {"outputFields":{…,"hs_execution_state":"SUCCESS"|"FAIL_CONTINUE"}}
//
// with the portal's access token; HubSpot answers 204. It is retried like
// any call on 429 and 5xx (completing twice leaves the execution as the
// first completion did); NotFound when HubSpot no longer knows the
// callback (expired).
func (c *Client) CompleteWorkflowAction(ctx context.Context, portal app.Portal, callbackID string, outputFields map[string]string) error {
	cl, err := c.newCall(ctx, portal, "workflow action callback", "POST /automation/v4/actions/callbacks/{callbackId}/complete")
	if err != nil {
		return err
	}
	cl.verb = "complete"
	path := "/automation/v4/actions/callbacks/" + url.PathEscape(callbackID) + "/complete"
	body := struct {
		OutputFields map[string]string `json:"outputFields"`
	}{outputFields}
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSONBody(ctx, http.MethodPost, path, body, nil)
	})
}
