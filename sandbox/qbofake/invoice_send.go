package qbofake

import (
	"net/http"
	"net/mail"
	"strconv"
	"time"
)

// serveSend answers POST …/invoice/{id}/send[?sendTo=addr] (reference §1.2
// EmailStatus): the invoice becomes EmailSent with DeliveryInfo
// {"DeliveryType":"Email","DeliveryTime":…}, sendTo (when given) replaces
// BillEmail, and the SyncToken moves. No mail is sent.
func (s *Server) serveSend(id string) func(http.ResponseWriter, *http.Request, *realm, []byte) {
	return func(w http.ResponseWriter, r *http.Request, rl *realm, _ []byte) {
		rl.mu.Lock()
		wk := s.begin(rl)
		inv, e := wk.send(id, r.URL.Query().Get("sendTo"))
		var out []byte
		if e == nil {
			out = s.envelope(rl, "Invoice", inv)
		}
		rl.mu.Unlock()
		s.publish(wk)
		if e != nil {
			s.writeFault(w, rl, e)
			return
		}
		s.writeJSON(w, out)
	}
}

func (w *work) send(id, sendTo string) (*Invoice, *qboError) {
	if _, err := strconv.Atoi(id); err != nil {
		return nil, errInvalidID(id)
	}
	prev, ok := w.r.invoices.get(id)
	if !ok {
		return nil, errObjectNotFound()
	}
	to := sendTo
	if to == "" && prev.BillEmail != nil {
		to = prev.BillEmail.Address
	}
	if to == "" {
		return nil, errRequired("BillEmail")
	}
	if _, err := mail.ParseAddress(to); err != nil {
		return nil, errBusiness("Invalid email address: " + to)
	}
	out := cloneJSON(prev)
	if sendTo != "" {
		out.BillEmail = &EmailAddress{Address: sendTo}
	}
	out.EmailStatus = "EmailSent"
	out.DeliveryInfo = &DeliveryInfo{DeliveryType: "Email", DeliveryTime: &Timestamp{w.now.Truncate(time.Second)}}
	w.bump(&out.Base)
	w.r.invoices.put(out)
	w.changed("Invoice", out.Id, opEmailed)
	return out, nil
}

// servePDF answers GET …/invoice/{id}/pdf with a small PDF of the invoice
// (Content-Type application/pdf, as recorded in R1 get_pdf/invoice.yml).
func (s *Server) servePDF(id string) func(http.ResponseWriter, *http.Request, *realm, []byte) {
	return func(w http.ResponseWriter, r *http.Request, rl *realm, _ []byte) {
		if _, err := strconv.Atoi(id); err != nil {
			s.writeFault(w, rl, errInvalidID(id))
			return
		}
		rl.mu.Lock()
		inv, ok := rl.invoices.get(id)
		var doc []byte
		if ok {
			doc = invoicePDF(rl, inv)
		}
		rl.mu.Unlock()
		if !ok {
			s.writeFault(w, rl, errObjectNotFound())
			return
		}
		s.writeRaw(w, http.StatusOK, "application/pdf", doc)
	}
}
