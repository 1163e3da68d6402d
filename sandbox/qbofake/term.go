package qbofake

import (
	"strings"
	"time"
)

// Term is QBO's sales term (reference §1.6).
type Term struct {
	Name             string  `json:"Name,omitempty"`
	DiscountPercent  Decimal `json:"DiscountPercent,omitempty"`
	DiscountDays     *int    `json:"DiscountDays,omitempty"`
	Type             string  `json:"Type,omitempty"`
	Active           *bool   `json:"Active,omitempty"`
	DueDays          *int    `json:"DueDays,omitempty"`
	DayOfMonthDue    *int    `json:"DayOfMonthDue,omitempty"`
	DueNextMonthDays *int    `json:"DueNextMonthDays,omitempty"`
	Base                     // domain, sparse, Id, SyncToken, MetaData
}

func (t *Term) active() bool { return t.Active == nil || *t.Active }

// dueDate applies the term to a transaction date: STANDARD adds DueDays;
// DATE_DRIVEN picks DayOfMonthDue of this month, or of next month when the
// transaction falls within DueNextMonthDays of it (reference §1.6).
func (t *Term) dueDate(txn Date) Date {
	if t.Type == "DATE_DRIVEN" && t.DayOfMonthDue != nil {
		d := txn.time(time.UTC)
		day := *t.DayOfMonthDue
		due := clampDay(d.Year(), int(d.Month()), day)
		next := 0
		if t.DueNextMonthDays != nil {
			next = *t.DueNextMonthDays
		}
		if !due.AddDate(0, 0, -next).After(d) {
			due = clampDay(d.Year(), int(d.Month())+1, day)
		}
		return dateOf(due)
	}
	days := 0
	if t.DueDays != nil {
		days = *t.DueDays
	}
	return txn.addDays(days)
}

// saveTerm validates a term: Name required and at most 31 characters,
// unique among terms (6240); Type STANDARD (default) or DATE_DRIVEN.
func (w *work) saveTerm(in *Term, prev *Term) (*Term, *qboError) {
	t := *in
	t.Base = Base{}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		if prev == nil {
			return nil, errRequired("Name")
		}
		t.Name = prev.Name
	}
	if n := len([]rune(t.Name)); n > 31 {
		return nil, errLength(31, n)
	}
	for _, other := range w.r.terms.all() {
		if (prev == nil || other.Id != prev.Id) && strings.EqualFold(other.Name, t.Name) {
			return nil, errDuplicateName()
		}
	}
	switch t.Type {
	case "":
		t.Type = "STANDARD"
		if t.DayOfMonthDue != nil {
			t.Type = "DATE_DRIVEN"
		}
	case "STANDARD", "DATE_DRIVEN":
	default:
		return nil, errInvalidEnum(t.Type)
	}
	if t.Type == "STANDARD" && t.DueDays == nil {
		t.DueDays = intPtr(0)
	}
	if t.DiscountPercent == "" {
		t.DiscountPercent = "0"
	}
	if t.DiscountDays == nil {
		t.DiscountDays = intPtr(0)
	}
	t.Active = boolOr(t.Active, prev == nil || prev.active())
	return &t, nil
}

func intPtr(n int) *int { return &n }
