package secret

import "math/bits"

// commonAfter returns how many bytes b[i:] and f[j:] have in common, up
// to n, comparing 8 at a time.
func commonAfter(b []byte, i int, f string, j, n int) int {
	k := 0
	for ; k+MinLen <= n; k += MinLen {
		if x := load64(b, i+k) ^ load64(f, j+k); x != 0 {
			return k + bits.TrailingZeros64(x)/8
		}
	}
	for k < n && b[i+k] == f[j+k] {
		k++
	}
	return k
}

// commonBefore returns how many bytes b[:i] and f[:j] have in common at
// their ends, up to n, comparing 8 at a time.
func commonBefore(b []byte, i int, f string, j, n int) int {
	k := 0
	for ; k+MinLen <= n; k += MinLen {
		if x := load64(b, i-k-MinLen) ^ load64(f, j-k-MinLen); x != 0 {
			return k + bits.LeadingZeros64(x)/8
		}
	}
	for k < n && b[i-k-1] == f[j-k-1] {
		k++
	}
	return k
}

// index finds the forms that hold an 8-byte gram. It keeps the grams at
// offsets 0, MinLen, 2*MinLen... of each form: a prefix of MinLen or more
// bytes holds the first, and a piece of 2*MinLen-1 or more bytes from
// anywhere holds a whole one. That is one entry per MinLen bytes of form.
//
// A gram held more than a limit of times (maxRepeats) is kept only at
// offset 0. It tells little of a secret: a run of one character, or "\u00"
// and one character of a \u escape, which a long secret's \u forms hold
// dozens of times each. Looked up everywhere, it would make a text full of
// it slow to scrub. A piece is found by its other grams instead; a \u
// form's piece by the 8 bytes that hold two characters, every 24 bytes,
// which is within maxReach of any place. A run whose first gram kept is
// further from its start may lose to a run that starts later; the rest of
// it is then a run of its own.
//
// The grams are kept by hash, in buckets of 1<<bucketBits hashes, about
// two grams to a bucket. There are some 8 hashes per gram, so the bit set
// of the hashes the grams have is small and rules out most grams of a text
// at once.
type index struct {
	forms []string
	reach int      // how far after its start a run is sure to hold a gram kept
	shift uint     // 64 minus the bits of a hash
	seen  []uint64 // bit h is set when a gram kept has hash h
	start []int32  // bucket k holds at[start[k]:start[k+1]]
	at    []loc
}

const (
	// maxReach is the reach of an index that dropped grams: enough for a
	// \u form, which keeps one gram in three.
	maxReach = 3*MinLen - 1
	// maxRepeats is how many times a gram kept everywhere may be held.
	// A secret's forms share their text up to its first escaped character,
	// so a gram that the secret holds once is held by a dozen forms.
	maxRepeats = 16
	// bucketBits are the bits of a hash that a bucket number leaves out.
	bucketBits = 4
)

// loc is where a gram is: forms[form][off:off+MinLen].
type loc struct{ form, off int32 }

// newIndex indexes forms, each at least MinLen long, keeping a gram held
// more than limit times only where a form starts.
func newIndex(forms []string, limit int) *index {
	n := 0
	for _, f := range forms {
		n += len(f) / MinLen
	}
	buckets := 1
	for 2*buckets < n {
		buckets *= 2
	}
	hashes := buckets << bucketBits
	x := &index{
		forms: forms,
		shift: uint(64 - bits.TrailingZeros(uint(hashes))),
		seen:  make([]uint64, max(hashes/64, 1)),
		start: make([]int32, buckets+1),
		at:    make([]loc, n),
	}
	// Count the grams of each bucket, sum the counts into each bucket's
	// end, then fill each bucket from its end down to its start.
	for _, f := range forms {
		for off := 0; off+MinLen <= len(f); off += MinLen {
			x.start[x.hash(load64(f, off))>>bucketBits]++
		}
	}
	for k := 1; k < len(x.start); k++ {
		x.start[k] += x.start[k-1]
	}
	for k, f := range forms {
		for off := 0; off+MinLen <= len(f); off += MinLen {
			b := x.hash(load64(f, off)) >> bucketBits
			x.start[b]--
			x.at[x.start[b]] = loc{int32(k), int32(off)}
		}
	}
	// Drop the grams held too often, moving the buckets down over the gaps.
	kept := int32(0)
	for k := range buckets {
		b := x.at[x.start[k]:x.start[k+1]]
		x.start[k] = kept
		if len(b) > limit {
			b = x.dropRepeats(b, limit)
		}
		for _, l := range b {
			h := x.hash(x.gram(l))
			x.seen[h/64] |= 1 << (h % 64)
		}
		kept += int32(copy(x.at[kept:], b))
	}
	x.start[buckets] = kept
	// A run's first whole gram is less than MinLen bytes after its start;
	// with grams dropped, the first kept one may be further on.
	x.reach = MinLen - 1
	if int(kept) < n {
		x.at = append([]loc(nil), x.at[:kept]...)
		x.reach = maxReach
	}
	return x
}

// dropRepeats returns the locs of bucket b but those of a gram held more
// than limit times, save where a form starts. It reuses b.
func (x *index) dropRepeats(b []loc, limit int) []loc {
	times := map[uint64]int{}
	for _, l := range b {
		times[x.gram(l)]++
	}
	kept := b[:0]
	for _, l := range b {
		if l.off == 0 || times[x.gram(l)] <= limit {
			kept = append(kept, l)
		}
	}
	return kept
}

// gram returns the gram at l.
func (x *index) gram(l loc) uint64 {
	return load64(x.forms[l.form], int(l.off))
}

// hash is the hash of gram g: the top bits of a multiplicative hash.
func (x *index) hash(g uint64) uint {
	return uint(g * 0x9E3779B97F4A7C15 >> x.shift)
}

// mayHave reports whether a form may have gram g; false is sure.
func (x *index) mayHave(g uint64) bool {
	h := x.hash(g)
	return x.seen[h/64]&(1<<(h%64)) != 0
}

// lookup returns where the grams that may be g are; the caller checks that
// they are g.
func (x *index) lookup(g uint64) []loc {
	if !x.mayHave(g) {
		return nil
	}
	k := x.hash(g) >> bucketBits
	return x.at[x.start[k]:x.start[k+1]]
}

// load64 reads b[i:i+8] as a number, to compare 8-byte grams at once.
func load64[T string | []byte](s T, i int) uint64 {
	b := s[i : i+MinLen]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
