package main

import "strings"

// maxSuggestions is how many close names a "did you mean" offers at most.
const maxSuggestions = 3

// closest returns the candidates nearest to word by edit distance (see
// editDistance), at most maxSuggestions of them, in the order given; only
// those that near accepts, when it is not nil.
func closest(word string, candidates []string, near func(word, candidate string, distance int) bool) []string {
	best := -1
	var out []string
	for _, c := range candidates {
		d := editDistance(word, c)
		switch {
		case near != nil && !near(word, c, d):
		case best < 0 || d < best:
			best, out = d, []string{c}
		case d == best && len(out) < maxSuggestions:
			out = append(out, c)
		}
	}
	return out
}

// typo reports whether word looks like a typo of candidate: at most two
// edits apart, or sharing all but the last two characters of word (at
// least four): "--ouput" for --output, "registry" for registries.
func typo(word, candidate string, distance int) bool {
	common := 0
	for common < len(word) && common < len(candidate) && word[common] == candidate[common] {
		common++
	}
	return distance <= 2 || common >= max(4, len(word)-2)
}

// editDistance is the Levenshtein distance between a and b, in bytes: the
// fewest insertions, deletions and substitutions that turn a into b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// orList joins words as "a", "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
