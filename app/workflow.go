package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The "Create QuickBooks invoice" workflow action (reference/hubspot.md
// section 5): HubSpot calls it for a deal enrolled in a workflow; it
// invoices the deal's latest invoiceable quote, else its line items, the
// way the card's draft would, and creates the invoice idempotently by the
// execution's callbackId.

// WorkflowInput is one execution of the action: HubSpot's callbackId, the
// enrolled deal and the action's inputs.
type WorkflowInput struct {
	PortalID     int64
	CallbackID   string
	DealID       string
	ConnectionID string // empty: the portal's default company
	TermID       string // empty: the customer's or the company's default term
	DueDays      *int   // days after the invoice date; nil: from the term
	Message      string // the invoice's message to the customer (CustomerMemo)
	TaxCodeID    string // outside the US: for lines whose product has no tax code
	// LastAttempt is set by the queue on an execution's last try: a
	// failure that could pass later then fails the action in HubSpot
	// (FAIL_CONTINUE, the reason in words) rather than leaving it to
	// expire unanswered.
	LastAttempt bool
}

// The execution states the action answers (hs_execution_state).
const (
	WorkflowSuccess      = "SUCCESS"
	WorkflowFailContinue = "FAIL_CONTINUE"
	WorkflowBlock        = "BLOCK"
)

// WorkflowOutcome is what the action tells HubSpot.
type WorkflowOutcome struct {
	State         string
	InvoiceID     string
	InvoiceNumber string
	InvoiceStatus string
	ErrorMessage  string // FAIL_CONTINUE: why, in an admin's words
}

// OutputFields are the outcome as the action's output fields, with
// hs_execution_state; BLOCK also carries how long HubSpot should wait.
func (o WorkflowOutcome) OutputFields() map[string]string {
	out := map[string]string{"hs_execution_state": o.State}
	switch o.State {
	case WorkflowSuccess:
		out["invoiceId"], out["invoiceNumber"], out["invoiceStatus"] = o.InvoiceID, o.InvoiceNumber, o.InvoiceStatus
	case WorkflowFailContinue:
		out["errorMessage"] = o.ErrorMessage
	case WorkflowBlock:
		out["hs_expiration_duration"] = WorkflowExpiration
	}
	return out
}

// WorkflowExpiration is how long HubSpot waits for a blocked execution's
// completion callback (ISO-8601); the queue's retries end well before.
const WorkflowExpiration = "P1D"

// DefaultWorkflowBudget is how long an execution may work before it is
// answered BLOCK and finished in the background.
const DefaultWorkflowBudget = 5 * time.Second

// WorkflowJobs finishes executions in the background (queue.Queue
// implements it; asserted from Deps.Jobs).
type WorkflowJobs interface {
	// EnqueueWorkflowAction records a job that runs FinishWorkflowAction;
	// it returns once the job is durable.
	EnqueueWorkflowAction(ctx context.Context, in WorkflowInput) error
}

// WorkflowCallbacks completes a blocked execution in HubSpot (the HubSpot
// adapter implements it; asserted from Deps.HubSpot).
type WorkflowCallbacks interface {
	// CompleteWorkflowAction posts the execution's output fields to
	// POST /automation/v4/actions/callbacks/{callbackId}/complete.
	CompleteWorkflowAction(ctx context.Context, portal Portal, callbackID string, outputFields map[string]string) error
}

// SetWorkflowBudget changes how long an execution may work before it is
// answered BLOCK (tests); zero or less restores DefaultWorkflowBudget.
func (s *Service) SetWorkflowBudget(d time.Duration) {
	if d <= 0 {
		d = DefaultWorkflowBudget
	}
	s.workflowBudget.Store(int64(d))
}

// WorkflowPortal checks that HubSpot calls for a portal that installed the
// app: Unauthorized otherwise.
func (s *Service) WorkflowPortal(ctx context.Context, portalID int64) (Portal, error) {
	p, err := s.store.Portal(ctx, portalID)
	switch {
	case ErrorCode(err) == NotFound || (err == nil && p.State == PortalUninstalled):
		return Portal{}, Errorf(Unauthorized, "HubSpot account %d has not installed this app.", portalID)
	case err != nil:
		return Portal{}, fmt.Errorf("workflow action: portal %d: %w", portalID, err)
	}
	return p, nil
}

// WorkflowConnections lists the companies the action may invoice in (all
// but the disconnected ones), and the default one.
func (s *Service) WorkflowConnections(ctx context.Context, portalID int64) ([]Connection, string, error) {
	if _, err := s.WorkflowPortal(ctx, portalID); err != nil {
		return nil, "", err
	}
	v, err := s.Settings(ctx, portalID)
	if err != nil {
		return nil, "", err
	}
	var out []Connection
	for _, c := range defaultFirst(v.Connections, v.DefaultConnectionID) {
		if c.State != Disconnected {
			out = append(out, c)
		}
	}
	return out, v.DefaultConnectionID, nil
}

// RunWorkflowAction runs one execution within the workflow budget. It
// answers SUCCESS with the invoice, FAIL_CONTINUE with a reason when
// retrying cannot help, or BLOCK once the work has been handed to the
// queue (FinishWorkflowAction then completes it through HubSpot's
// callback). An error means HubSpot should retry: QuickBooks or HubSpot
// unavailable (Unavailable), or a fault of ours. A repeat of a callbackId
// answers the first invoice, never makes a second.
func (s *Service) RunWorkflowAction(ctx context.Context, in WorkflowInput) (WorkflowOutcome, error) {
	if _, err := s.WorkflowPortal(ctx, in.PortalID); err != nil {
		return WorkflowOutcome{}, err
	}
	if err := checkWorkflowInput(in); err != nil {
		return failOutcome(err), nil
	}
	bctx, cancel := context.WithTimeout(ctx, time.Duration(s.workflowBudget.Load()))
	defer cancel()
	out, err := s.workflowCreate(bctx, in)
	if err == nil {
		return out, nil
	}
	if errors.Is(bctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		jobs, _ := s.jobs.(WorkflowJobs)
		if jobs == nil {
			return WorkflowOutcome{}, Wrapf(err, Unavailable, "QuickBooks is slow to create the invoice; HubSpot will retry.")
		}
		qctx, qcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer qcancel()
		if qerr := jobs.EnqueueWorkflowAction(qctx, in); qerr != nil {
			return WorkflowOutcome{}, fmt.Errorf("workflow action %s: hand over to the queue: %w", in.CallbackID, qerr)
		}
		s.log.InfoContext(ctx, "workflow action: over budget, finishing in the background",
			"portal", in.PortalID, "deal", in.DealID, "callback", in.CallbackID)
		return WorkflowOutcome{State: WorkflowBlock}, nil
	}
	if Retryable(err) {
		return WorkflowOutcome{}, err
	}
	return failOutcome(err), nil
}

// FinishWorkflowAction is the queue's job for an execution answered BLOCK:
// it finishes the create (same key: the invoice the execution may already
// have made is found, not made again) and completes the execution in
// HubSpot with SUCCESS or FAIL_CONTINUE. A transient failure is returned
// for the queue to retry; the repeat replays a finished create.
func (s *Service) FinishWorkflowAction(ctx context.Context, in WorkflowInput) error {
	out, err := s.workflowCreate(ctx, in)
	switch {
	case err == nil:
	case Retryable(err) && !in.LastAttempt:
		return fmt.Errorf("workflow action %s: %w", in.CallbackID, err)
	case Retryable(err):
		s.log.WarnContext(ctx, "workflow action gave up", "portal", in.PortalID, "deal", in.DealID,
			"callback", in.CallbackID, "err", err)
		out = gaveUpOutcome(err)
	default:
		out = failOutcome(err)
	}
	cb, ok := s.hubspot.(WorkflowCallbacks)
	if !ok {
		return Errorf(Invalid, "The HubSpot adapter cannot complete workflow actions.")
	}
	portal, err := s.store.Portal(ctx, in.PortalID)
	if err != nil {
		return fmt.Errorf("workflow action %s: portal: %w", in.CallbackID, err)
	}
	if err := cb.CompleteWorkflowAction(ctx, portal, in.CallbackID, out.OutputFields()); err != nil {
		return fmt.Errorf("workflow action %s: complete in HubSpot: %w", in.CallbackID, err)
	}
	s.log.InfoContext(ctx, "workflow action completed", "portal", in.PortalID, "deal", in.DealID,
		"callback", in.CallbackID, "state", out.State, "invoice", out.InvoiceID)
	return nil
}

func checkWorkflowInput(in WorkflowInput) error {
	switch {
	case in.CallbackID == "":
		return Errorf(Invalid, "HubSpot sent no callbackId.")
	case !isDigits(in.DealID):
		return Errorf(Invalid, "The enrolled record %q is not a deal id.", in.DealID)
	case in.DueDays != nil && (*in.DueDays < 0 || *in.DueDays > 3650):
		return Errorf(Invalid, "Due days must be 0 to 3650, not %d.", *in.DueDays)
	case len([]rune(in.Message)) > maxMessage:
		return Errorf(Invalid, "The message is longer than %d characters.", maxMessage)
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// failOutcome is FAIL_CONTINUE with err's message.
func failOutcome(err error) WorkflowOutcome {
	msg := "The invoice could not be created."
	var ae *Error
	if errors.As(err, &ae) && ae.Message != "" {
		msg = ae.Message
	}
	return WorkflowOutcome{State: WorkflowFailContinue, ErrorMessage: msg}
}

// gaveUpOutcome is the failure of an execution whose last try still
// could not create the invoice.
func gaveUpOutcome(err error) WorkflowOutcome {
	msg := "QuickBooks or HubSpot could not be reached for about two hours, so no invoice was created."
	var ae *Error
	if errors.As(err, &ae) && ae.Message != "" {
		msg += " The last answer was: " + ae.Message
	}
	return WorkflowOutcome{State: WorkflowFailContinue, ErrorMessage: msg}
}

// workflowKey is the attempt key of an execution: HubSpot's callbackId,
// hashed when it would not fit the store's 100 characters.
func workflowKey(callbackID string) string {
	k := "wf:" + callbackID
	if len([]rune(k)) > 100 || len(k) < 8 {
		sum := sha256.Sum256([]byte(callbackID))
		k = "wf:" + hex.EncodeToString(sum[:])
	}
	return k
}

// workflowCreate is CreateInvoice for an execution, under the same attempt
// machinery: the attempt is keyed by the callbackId and hashed over the
// action's inputs (not the draft, which changes once a customer has been
// created), stored before any QuickBooks call, held by one worker at a
// time, and answered from its stored result once finished.
func (s *Service) workflowCreate(ctx context.Context, in WorkflowInput) (WorkflowOutcome, error) {
	key := workflowKey(in.CallbackID)
	obj := ObjectRef{Type: Deals, ID: in.DealID}
	same := in
	same.LastAttempt = false // which try this is is not an input
	body, err := json.Marshal(same)
	if err != nil {
		return WorkflowOutcome{}, fmt.Errorf("hash workflow inputs: %w", err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	attempt, _, err := s.store.StartAttempt(ctx, Attempt{PortalID: in.PortalID, Key: key, BodyHash: hash,
		Object: obj, ConnectionID: in.ConnectionID})
	if err != nil {
		return WorkflowOutcome{}, fmt.Errorf("workflow action %s: %w", in.CallbackID, err)
	}
	if attempt.BodyHash != hash {
		return WorkflowOutcome{}, Errorf(Conflict, "This workflow execution was already run with other inputs.")
	}
	if attempt.Result != nil {
		res, err := replay(attempt.Result)
		if err != nil {
			return WorkflowOutcome{}, err
		}
		return successOutcome(res), nil
	}
	held, err := s.store.ClaimAttempt(ctx, in.PortalID, key, s.now().Add(attemptHold))
	if err != nil {
		return WorkflowOutcome{}, fmt.Errorf("workflow action %s: %w", in.CallbackID, err)
	}
	if !held {
		res, takeOver, err := s.awaitAttempt(ctx, in.PortalID, key)
		if !takeOver {
			if err != nil {
				return WorkflowOutcome{}, err
			}
			return successOutcome(res), nil
		}
	}
	res, err := s.workflowInvoice(ctx, in, key)
	if err != nil {
		if rerr := s.store.ReleaseAttempt(context.WithoutCancel(ctx), in.PortalID, key); rerr != nil {
			s.log.WarnContext(ctx, "release workflow attempt", "portal", in.PortalID, "err", rerr)
		}
		return WorkflowOutcome{}, err
	}
	stored, err := json.Marshal(res)
	if err != nil {
		return WorkflowOutcome{}, fmt.Errorf("encode workflow answer: %w", err)
	}
	if err := s.store.FinishAttempt(context.WithoutCancel(ctx), in.PortalID, key, stored); err != nil {
		s.log.WarnContext(ctx, "store workflow answer", "portal", in.PortalID, "err", err)
	}
	return successOutcome(res), nil
}

func successOutcome(res *CreateResult) WorkflowOutcome {
	return WorkflowOutcome{State: WorkflowSuccess, InvoiceID: res.Invoice.Invoice.ID,
		InvoiceNumber: res.Invoice.Invoice.DocNumber, InvoiceStatus: string(res.Invoice.Status)}
}

// workflowInvoice builds the card's draft for the deal (its latest
// invoiceable quote, else its line items), applies the action's inputs and
// creates the invoice under key.
func (s *Service) workflowInvoice(ctx context.Context, in WorkflowInput, key string) (*CreateResult, error) {
	obj := ObjectRef{Type: Deals, ID: in.DealID}
	// A try that already sent QuickBooks its invoice is finished with that
	// invoice, whatever the deal's quotes say now (createInvoice).
	if sent, err := s.attemptSent(ctx, in.PortalID, key); err != nil {
		return nil, err
	} else if sent != nil {
		return s.createInvoice(ctx, in.PortalID, obj, key, InvoiceRequest{})
	}
	connID := in.ConnectionID
	if connID == "" {
		conns, err := s.store.Connections(ctx, in.PortalID)
		if err != nil {
			return nil, err
		}
		ps, err := s.store.PortalSettings(ctx, in.PortalID)
		if err != nil {
			return nil, err
		}
		if connID, _ = effectiveDefault(conns, ps.DefaultConnectionID); connID == "" {
			return nil, Errorf(NotConnected, "No QuickBooks company is connected to this HubSpot account; connect one from the Integrated invoices card.")
		}
	}
	portal, err := s.store.Portal(ctx, in.PortalID)
	if err != nil {
		return nil, err
	}
	quotes, err := s.hubspot.DealQuotes(ctx, portal, in.DealID)
	if err != nil {
		return nil, err
	}
	d, err := s.InvoiceDraft(ctx, in.PortalID, obj, connID, latestInvoiceableQuote(quotes, s.now()))
	if err != nil {
		return nil, err
	}
	req := d.Invoice
	if in.TermID != "" {
		req.TermID = in.TermID
		req.DueDate = dueDate(req.TxnDate, in.TermID, d.Terms)
	}
	if in.DueDays != nil {
		req.DueDate = DateOf(req.TxnDate.Time().AddDate(0, 0, *in.DueDays))
	}
	if in.Message != "" {
		req.Message = in.Message
	}
	missing := d.Missing
	if d.Connection.Country != "US" && in.TaxCodeID != "" {
		missing = nil
		for _, m := range d.Missing {
			if !strings.HasSuffix(m, ".taxCodeId") {
				missing = append(missing, m)
			}
		}
		for i := range req.Lines {
			if req.Lines[i].TaxCodeID == "" {
				req.Lines[i].TaxCodeID = in.TaxCodeID
			}
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(Invalid, "%s", missingMessage(d, in.DealID, missing))
	}
	return s.createInvoice(ctx, in.PortalID, obj, key, req)
}

// latestInvoiceableQuote is the id of the deal's most recently created
// quote that may be invoiced (HubSpot's ids grow), or "" for none.
func latestInvoiceableQuote(quotes []Quote, now time.Time) string {
	best, bestN := "", int64(-1)
	for _, q := range quotes {
		if ok, _ := q.Invoiceable(now); !ok {
			continue
		}
		if n, err := strconv.ParseInt(q.ID, 10, 64); err == nil && n > bestN {
			best, bestN = q.ID, n
		}
	}
	return best
}

// missingMessage says, for someone reading the workflow's history, what
// the draft could not fill in.
func missingMessage(d *Draft, dealID string, missing []string) string {
	var out []string
	line := func(path string) string {
		var i int
		if _, err := fmt.Sscanf(path, "lines[%d]", &i); err == nil && i >= 0 && i < len(d.Lines) {
			return fmt.Sprintf("line item %q", d.Lines[i].LineItem.Name)
		}
		return "a line item"
	}
	for _, m := range missing {
		switch {
		case m == "lines":
			out = append(out, fmt.Sprintf("Deal %s has no published, unexpired quote and no line items to invoice.", dealID))
		case m == "customer" && len(d.Candidates) > 1:
			out = append(out, fmt.Sprintf("The deal's contact and company match several QuickBooks customers (%s and %s); create this invoice from the card.",
				d.Candidates[0].Customer.DisplayName, d.Candidates[1].Customer.DisplayName))
		case m == "customer":
			out = append(out, "The deal has no contact or company to find or create a QuickBooks customer from.")
		case m == "docNumber":
			out = append(out, fmt.Sprintf("QuickBooks company %s numbers its invoices itself and no next number could be suggested.", d.Connection.CompanyName))
		case strings.HasSuffix(m, ".itemId"):
			out = append(out, fmt.Sprintf("The %s matches no QuickBooks product or service by SKU or name.", line(m)))
		case strings.HasSuffix(m, ".quantity"):
			out = append(out, fmt.Sprintf("The %s has a quantity QuickBooks cannot take (zero, negative, or an amount with more than two decimals).", line(m)))
		case strings.HasSuffix(m, ".taxCodeId"):
			out = append(out, fmt.Sprintf("The %s has no tax code (its QuickBooks product has none); choose a default tax code in the action.", line(m)))
		default:
			out = append(out, fmt.Sprintf("%s is missing.", m))
		}
	}
	return strings.Join(out, " ")
}
