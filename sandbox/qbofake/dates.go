package qbofake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Wire layouts (reference §1.1 "Dates"): bare dates for TxnDate/DueDate,
// second-precision timestamps with the company's offset for MetaData, and
// millisecond timestamps for the envelope's "time".
const (
	layoutDate     = "2006-01-02"
	layoutMetaTime = "2006-01-02T15:04:05-07:00"
	layoutTime     = "2006-01-02T15:04:05.000-07:00"
)

// Date is a calendar date, "YYYY-MM-DD" on the wire; "" means absent.
//
// On input it also accepts an RFC 3339 datetime and keeps its date part, and
// it treats Go's zero time (year 0001) as absent. rwestlund/quickbooks-go
// sends both (reference §8 defect 5); how QBO itself treats them is [?], so
// this leniency is our choice, made so the real client works.
type Date string

// UnmarshalJSON implements the leniency described on Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string: %s", b)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*d = ""
		return nil
	}
	day := s
	if i := strings.IndexByte(s, 'T'); i >= 0 {
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Errorf("invalid datetime %q", s)
		}
		day = s[:i]
	}
	t, err := time.Parse(layoutDate, day)
	if err != nil {
		return fmt.Errorf("invalid date %q", s)
	}
	if t.Year() <= 1 {
		*d = ""
		return nil
	}
	*d = Date(day)
	return nil
}

// time returns the date at midnight in loc.
func (d Date) time(loc *time.Location) time.Time {
	t, err := time.ParseInLocation(layoutDate, string(d), loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// addDays returns the date n days later.
func (d Date) addDays(n int) Date {
	t, err := time.Parse(layoutDate, string(d))
	if err != nil {
		return d
	}
	return Date(t.AddDate(0, 0, n).Format(layoutDate))
}

func dateOf(t time.Time) Date { return Date(t.Format(layoutDate)) }

// Timestamp is a MetaData time, printed with the company's offset. Values a
// client sends are ignored by the handlers (MetaData is read-only, reference
// §1.1); UnmarshalJSON still reads them when it can, so an object survives
// a JSON round trip, and leaves anything unparseable zero.
type Timestamp struct{ time.Time }

// MarshalJSON writes 2020-09-29T05:58:07-07:00.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.Format(layoutMetaTime))
}

// UnmarshalJSON reads an RFC 3339 string, after checking it is a string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		if bytes.Equal(b, []byte("null")) {
			return nil
		}
		return fmt.Errorf("timestamp must be a string: %s", b)
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = v
	}
	return nil
}

// MetaData is the read-only creation and update stamp on every object.
type MetaData struct {
	CreateTime      Timestamp `json:"CreateTime"`
	LastUpdatedTime Timestamp `json:"LastUpdatedTime"`
}

func newMeta(now time.Time) *MetaData {
	now = now.Truncate(time.Second)
	return &MetaData{CreateTime: Timestamp{now}, LastUpdatedTime: Timestamp{now}}
}

// clampDay is day d of month m (which may overflow into the next year),
// clamped to the month's last day.
func clampDay(y, m, d int) time.Time {
	first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}
