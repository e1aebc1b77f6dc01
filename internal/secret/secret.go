// Package secret keeps credentials out of text that reaches errors and
// logs: it scrubs secrets a server echoed back, in every form an echo
// takes, and makes server-supplied text safe to print on one line.
package secret

import (
	"bytes"
	"strings"
)

// Redacted is what every secret shows as.
const Redacted = "REDACTED"

// MinLen is the shortest echoed prefix of a secret that is scrubbed:
// a shorter piece cannot be told from ordinary words. A secret shorter than
// MinLen (a 6-character IAM password) is scrubbed only whole.
const MinLen = 8

// MinSliceLen is the shortest echoed piece of a secret that is scrubbed
// wherever in the secret it starts (a tail, a middle slice). A piece of
// 2*MinLen-1 bytes or more is sure to hold one of the 8-byte grams that
// are looked up (see index), so this bound could not be lower without
// looking up more of them.
const MinSliceLen = 2 * MinLen

// Scrubber removes secrets from server-supplied text. The zero value and a
// nil *Scrubber scrub nothing. A Scrubber is never changed once made, so
// With and WithHex share its indexes.
type Scrubber struct {
	long  []*index // the spellings at least MinLen long, by NewScrubber or WithHex call
	short []string // the spellings shorter than MinLen, scrubbed only whole
}

// NewScrubber returns a Scrubber for secrets. Each secret is looked for as
// it is, JSON-escaped (with and without HTML escaping, and with "\/" for
// '/'), and URL-escaped (query and path escaping, upper- and lower-case
// hex). Any prefix of MinLen or more bytes of one of those forms is
// scrubbed, and any piece of MinSliceLen or more bytes from anywhere in
// one, so an echo cut short or cut out of the middle leaves nothing. Text
// that a form repeats many times tells little and is passed over, save at
// the form's start: a piece made of it must reach other text to be found
// (a piece of a long secret's \u form: from 31 bytes). A form shorter than
// MinLen is scrubbed where it stands whole. Empty secrets are ignored.
func NewScrubber(secrets ...string) *Scrubber {
	s := &Scrubber{}
	var long []string
	seen := map[string]bool{}
	add := func(f string) {
		switch {
		case f == "" || seen[f]:
		case len(f) < MinLen:
			seen[f] = true
			s.short = append(s.short, f)
		default:
			seen[f] = true
			long = append(long, f)
		}
	}
	for _, v := range secrets {
		if v == "" {
			continue
		}
		for _, f := range spellings(v) {
			add(f)
		}
	}
	if len(long) > 0 {
		s.long = []*index{newIndex(long, maxRepeats)}
	}
	s.short = longestFirst(s.short)
	return s
}

// longestFirst orders short forms so that one inside another does not
// leave the rest of the longer one behind.
func longestFirst(forms []string) []string {
	for i := 1; i < len(forms); i++ { // a handful of forms: insertion sort
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}

// WithHex returns a Scrubber for the secrets of s and the hex string h (a
// signature): its JSON and URL forms are h itself, so only h and its \u
// forms are added, in an index of their own, which is cheap enough to do
// for every request.
func (s *Scrubber) WithHex(h string) *Scrubber {
	if len(h) < MinLen {
		return s
	}
	forms := []string{h, unicodeEscaped(h, lowerDigits, true)}
	if u := unicodeEscaped(h, upperDigits, true); u != forms[1] {
		forms = append(forms, u) // not for hex digits: their codes are digits
	}
	return s.join(&Scrubber{long: []*index{newIndex(forms, maxRepeats)}})
}

// With returns a Scrubber for the secrets of s and extra.
func (s *Scrubber) With(extra ...string) *Scrubber {
	return s.join(NewScrubber(extra...))
}

// join returns a Scrubber for the secrets of s and more, sharing their
// indexes.
func (s *Scrubber) join(more *Scrubber) *Scrubber {
	if s.Empty() {
		return more
	}
	return &Scrubber{
		long:  append(append([]*index(nil), s.long...), more.long...),
		short: longestFirst(append(append([]string(nil), s.short...), more.short...)),
	}
}

// Empty reports whether s scrubs nothing.
func (s *Scrubber) Empty() bool { return s == nil || len(s.long)+len(s.short) == 0 }

// String returns v with every echoed secret, prefix of MinLen or more
// bytes of one, or piece of MinSliceLen or more bytes of one replaced by
// REDACTED.
func (s *Scrubber) String(v string) string {
	if s.Empty() || !s.mayHold(v) {
		return v
	}
	return string(s.Bytes([]byte(v)))
}

// mayHold reports whether v is long enough to hold a secret s scrubs.
func (s *Scrubber) mayHold(v string) bool {
	if len(v) >= MinLen {
		return true
	}
	for _, f := range s.short {
		if strings.Contains(v, f) {
			return true
		}
	}
	return false
}

// Bytes is String for a byte slice. b is returned as is when it holds no
// secret, else a new slice. Of the runs to scrub, the one that starts first
// wins, and of those the longest, so an echo is scrubbed whole whichever
// form it takes. Scrubbing a secret shorter than REDACTED makes the text
// longer.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s.Empty() {
		return b
	}
	return s.scrubShort(s.scrubLong(b))
}

// scrubShort replaces every whole short form in b, the longest forms first.
func (s *Scrubber) scrubShort(b []byte) []byte {
	for _, f := range s.short {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted))
		}
	}
	return b
}

// scrubLong replaces every run that matches a prefix of MinLen or more
// bytes of a form, or a piece of MinSliceLen or more bytes of one. Each run
// found goes as far left and right as it keeps matching its form, but not
// left into text already written out.
func (s *Scrubber) scrubLong(b []byte) []byte {
	if len(s.long) == 0 || len(b) < MinLen {
		return b
	}
	var out []byte
	last := 0 // b[:last] is written out
	reach := s.reach()
	for i := 0; i+MinLen <= len(b); i++ {
		if !s.mayHave(load64(b, i)) {
			continue // most positions: no form has the gram here
		}
		r := s.runAt(b, last, i, run{})
		if r.end == 0 {
			continue
		}
		// A run that starts at or before r.start is found by the first
		// gram it holds that is looked up, at most reach bytes on.
		for j := i + 1; j <= r.start+reach && j+MinLen <= len(b); j++ {
			r = s.runAt(b, last, j, r)
		}
		out = append(append(out, b[last:r.start]...), Redacted...)
		last = r.end
		i = r.end - 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// reach is how far after its start a run is sure to hold a gram looked up.
func (s *Scrubber) reach() int {
	n := 0
	for _, x := range s.long {
		n = max(n, x.reach)
	}
	return n
}

// mayHave reports whether a form may have gram g; false is sure.
func (s *Scrubber) mayHave(g uint64) bool {
	for _, x := range s.long {
		if x.mayHave(g) {
			return true
		}
	}
	return false
}

// run is the text b[start:end] to scrub; end is 0 for none.
type run struct{ start, end int }

// runAt returns the better of best and the runs to scrub that hold the
// gram b[i:i+8] where a form has it. A run is better when it starts first,
// or as early and is longer. Runs do not go left of last.
func (s *Scrubber) runAt(b []byte, last, i int, best run) run {
	g := load64(b, i)
	for _, x := range s.long {
		for _, l := range x.lookup(g) {
			f := x.forms[l.form]
			if x.gram(l) != g {
				continue // another gram in the same bucket
			}
			off := int(l.off)
			d := off - i // b[k] is matched against f[k+d]
			a := i - commonBefore(b, i, f, off, min(i-last, off))
			// A run that starts later, or as early and does not go on
			// past best.end, cannot win: skip matching the rest of it.
			if best.end != 0 && (a > best.start || a == best.start &&
				!(best.end < len(b) && best.end+d < len(f) && b[best.end] == f[best.end+d])) {
				continue
			}
			e := i + MinLen
			e += commonAfter(b, e, f, e+d, min(len(b)-e, len(f)-e-d))
			if a+d != 0 && e-a < MinSliceLen {
				continue // a short piece from inside a form: may be chance
			}
			if best.end == 0 || a < best.start || a == best.start && e > best.end {
				best = run{a, e}
			}
		}
	}
	return best
}
