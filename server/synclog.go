package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The sync log on the settings page (app/synclog.go): every record a sync
// processed, newest first, filtered by object and outcome, and a retry of
// a failure.

type syncLogEntryJSON struct {
	ID           string `json:"id"`
	ConnectionID string `json:"connectionId"`
	Object       string `json:"object"`
	QBOID        string `json:"qboId"`
	HubSpotID    string `json:"hubspotId"`
	Action       string `json:"action"`
	Outcome      string `json:"outcome"`
	Message      string `json:"message"`
	Source       string `json:"source"`
	At           string `json:"at"`
	// Retryable: a failure, which POST .../retry can run again.
	Retryable bool   `json:"retryable"`
	RetriedAt string `json:"retriedAt,omitempty"`
}

type syncLogResponse struct {
	Entries []syncLogEntryJSON `json:"entries"`
	// NextCursor is the next page's before; null on the last page.
	NextCursor *string `json:"nextCursor"`
}

func toSyncLogEntryJSON(e app.SyncLogEntry) syncLogEntryJSON {
	return syncLogEntryJSON{ID: e.ID, ConnectionID: e.ConnectionID, Object: string(e.Object), QBOID: e.QBOID,
		HubSpotID: e.HubSpotID, Action: string(e.Action), Outcome: string(e.Outcome), Message: e.Message,
		Source: e.Source, At: formatInstant(e.At), Retryable: e.Outcome == app.OutcomeFailed, RetriedAt: formatInstant(e.RetriedAt)}
}

// handleSyncLog lists a page of the portal's sync log:
// ?object=&outcome=&before=&limit=.
func (s *Server) handleSyncLog(c echo.Context) error {
	q := c.QueryParams()
	for _, k := range []string{"object", "outcome", "before", "limit"} {
		if len(q[k]) > 1 {
			return app.Errorf(app.Invalid, "The query parameter %q is given twice.", k)
		}
	}
	f := app.SyncLogFilter{Object: app.SyncObject(q.Get("object")), Outcome: app.SyncOutcome(q.Get("outcome")), Before: q.Get("before")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > app.MaxSyncLogPage {
			return app.Errorf(app.Invalid, "The limit must be a number from 1 to %d.", app.MaxSyncLogPage)
		}
		f.Limit = n
	}
	p, err := s.svc.ListSyncLog(c.Request().Context(), callerOf(c).PortalID, f)
	if err != nil {
		return err
	}
	resp := syncLogResponse{Entries: make([]syncLogEntryJSON, len(p.Entries))}
	for i, e := range p.Entries {
		resp.Entries[i] = toSyncLogEntryJSON(e)
	}
	if p.Next != "" {
		resp.NextCursor = &p.Next
	}
	return c.JSON(http.StatusOK, resp)
}

// handleSyncLogRetry runs a failed entry again: 202 with the entry, whose
// retry then shows as a new entry of the log.
func (s *Server) handleSyncLogRetry(c echo.Context) error {
	e, err := s.svc.RetrySyncLogEntry(c.Request().Context(), callerOf(c).PortalID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toSyncLogEntryJSON(e))
}
