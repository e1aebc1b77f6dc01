// scrubLong, fuzzed and on random pieces of secrets, replaces exactly what a brute-force search finds.
package secret

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveScrubLong is what scrubLong does, by brute force: from the left, the
// first position where a run matches a form from the form's start (MinLen
// bytes or more) or from anywhere in it (MinSliceLen or more) has its
// longest such run scrubbed, and the search goes on after it.
func naiveScrubLong(forms []string, b []byte) string {
	var out []byte
	last := 0
	for a := 0; a < len(b); {
		n := 0
		for _, f := range forms {
			for off := range len(f) {
				m := 0
				for a+m < len(b) && off+m < len(f) && b[a+m] == f[off+m] {
					m++
				}
				if m >= MinSliceLen || off == 0 && m >= MinLen {
					n = max(n, m)
				}
			}
		}
		if n == 0 {
			a++
			continue
		}
		out = append(append(out, b[last:a]...), Redacted...)
		a += n
		last = a
	}
	return string(append(out, b[last:]...))
}

// formsOf returns every long form s looks for.
func formsOf(s *Scrubber) []string {
	var forms []string
	for _, x := range s.long {
		forms = append(forms, x.forms...)
	}
	return forms
}

// complete reports whether s keeps every gram of its forms, none dropped
// for being held too often.
func complete(s *Scrubber) bool {
	for _, x := range s.long {
		n := 0
		for _, f := range x.forms {
			n += len(f) / MinLen
		}
		if len(x.at) != n {
			return false
		}
	}
	return true
}

// checkScrubLong fails t when scrubLong differs from the brute-force answer
// on text: with s's forms indexed whole, and with s itself when it keeps
// every gram.
func checkScrubLong(t *testing.T, s *Scrubber, text []byte) {
	t.Helper()
	want := naiveScrubLong(formsOf(s), text)
	whole := &Scrubber{long: []*index{newIndex(formsOf(s), math.MaxInt)}}
	if got := string(whole.scrubLong(text)); got != want {
		t.Fatalf("scrubLong(%q)\n got %q\nwant %q\nforms %q", text, got, want, formsOf(s))
	}
	if got := string(s.scrubLong(text)); complete(s) && got != want {
		t.Fatalf("scrubLong(%q)\n got %q\nwant %q\nforms %q", text, got, want, formsOf(s))
	}
}

// piecesOf returns text made of pieces of forms and of noise.
func piecesOf(r *rand.Rand, forms []string, alphabet string) []byte {
	var text []byte
	for range r.IntN(6) {
		if r.IntN(3) == 0 || len(forms) == 0 {
			for range r.IntN(20) {
				text = append(text, alphabet[r.IntN(len(alphabet))])
			}
			continue
		}
		f := forms[r.IntN(len(forms))]
		i := r.IntN(len(f))
		j := i + r.IntN(len(f)-i+1)
		text = append(text, f[i:j]...)
	}
	return text
}

// scrubLong agrees with the brute-force answer on texts made of pieces of
// secrets, low-entropy secrets included, where many runs compete.
func TestScrubLongMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, alphabet := range []string{`ab`, `abc/+="`, `0123456789abcdefXYZ<&é`} {
		for range 500 {
			var secrets []string
			for range 1 + r.IntN(3) {
				b := make([]byte, r.IntN(60))
				for k := range b {
					b[k] = alphabet[r.IntN(len(alphabet))]
				}
				secrets = append(secrets, string(b))
			}
			s := NewScrubber(secrets...)
			if r.IntN(2) == 0 {
				s = s.WithHex("0123456789abcdef0123")
			}
			for range 10 {
				checkScrubLong(t, s, piecesOf(r, formsOf(s), alphabet))
			}
		}
	}
}

// FuzzScrubLong checks scrubLong against the brute-force answer.
func FuzzScrubLong(f *testing.F) {
	f.Add("MIIabcdefghijklmnopqrstuvwxyz0123456789", "ab/+=\"", uint64(1), "500 ")
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", uint64(2), "aaaaaaaaaaaaaaaaaaaaaaa")
	f.Add(`p<a>s&s"w\o/r d+=?%é-more-of-it`, "x", uint64(3), "")
	f.Fuzz(func(t *testing.T, secret, other string, seed uint64, prefix string) {
		if len(secret)+len(other) > 200 || len(prefix) > 200 {
			return
		}
		s := NewScrubber(secret, other)
		r := rand.New(rand.NewPCG(seed, seed))
		text := append([]byte(prefix), piecesOf(r, formsOf(s), "ab/")...)
		checkScrubLong(t, s, text)
	})
}
