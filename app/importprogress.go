package app

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// An import's progress as a person reads it: the rate, the time left and,
// for a failed one, a sentence.

// progressOf is an import's progress at now.
func progressOf(imp Import, now time.Time) ImportProgress {
	p := ImportProgress{ID: imp.ID, ConnectionID: imp.ConnectionID, Object: imp.Object, State: imp.State, Done: imp.Done,
		Total: max(imp.Total, imp.Done), ETA: -1, Error: imp.Error, StartedAt: imp.StartedAt,
		UpdatedAt: imp.UpdatedAt, FinishedAt: imp.FinishedAt}
	if imp.State.Finished() {
		p.RatePerSecond = round1(rateOf(imp.Samples, imp.Done, imp.FinishedAt))
		if imp.State == ImportDone {
			p.ETA = 0
		}
		return p
	}
	p.RatePerSecond = round1(rateOf(imp.Samples, imp.Done, now))
	if p.RatePerSecond > 0 {
		p.ETA = time.Duration(float64(p.Total-p.Done) / p.RatePerSecond * float64(time.Second)).Round(time.Second)
	}
	return p
}

// rateOf is the records per second from the newest sample at or before
// rateWindow ago (else the oldest sample) to (now, done).
func rateOf(samples []ProgressSample, done int, now time.Time) float64 {
	if len(samples) == 0 {
		return 0
	}
	from := samples[0]
	for _, s := range samples {
		if !s.At.After(now.Add(-rateWindow)) {
			from = s
		}
	}
	d := now.Sub(from.At).Seconds()
	if d < 1 || done <= from.Done {
		return 0
	}
	return float64(done-from.Done) / d
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// addSample keeps samples at least sampleEvery apart within sampleKeep
// (and one older), the newest last: a last sample less than sampleEvery
// after the one before it is replaced.
func addSample(samples []ProgressSample, s ProgressSample) []ProgressSample {
	if n := len(samples); n > 1 && samples[n-1].At.Sub(samples[n-2].At) < sampleEvery {
		samples = samples[:n-1]
	}
	samples = append(samples, s)
	cut := 0
	for cut < len(samples)-2 && s.At.Sub(samples[cut+1].At) > sampleKeep {
		cut++
	}
	return slices.Clone(samples[cut:])
}

// failureSentence says why an import stopped and what to do.
func failureSentence(imp Import, err error) string {
	msg := strings.TrimSpace(ErrorMessage(err))
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	one, many := imp.Object.RecordNouns()
	if imp.Done == 0 {
		return "The import stopped before any " + one + " was copied: " + msg
	}
	return fmt.Sprintf("The import stopped after %s of %s %s: %s Start it again to go on from there.",
		GroupDigits(imp.Done), GroupDigits(max(imp.Total, imp.Done)), many, msg)
}

// GroupDigits writes n with thousands separators: 10,000.
func GroupDigits(n int) string {
	if n < 0 {
		return "-" + GroupDigits(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
