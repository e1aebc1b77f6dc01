// "Did you mean": edit distance, the closest candidates, and what counts as a typo.

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hsskit/hss"
)

// TestEditDistance is the Levenshtein distance.
func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"cn-nrth-4", "cn-north-4", 1}, {"ouput", "output", 1}, {"registry", "registries", 3},
	} {
		assert.Equal(t, tc.want, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, editDistance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

// TestClosest names the nearest candidates, ties in the given order, at
// most three.
func TestClosest(t *testing.T) {
	assert.Equal(t, []string{"cn-north-4"}, closest("cn-nrth-4", hss.Regions(), nil))
	assert.Equal(t, []string{"cn-north-1", "cn-north-2", "cn-north-4"}, closest("cn-north-7", hss.Regions(), nil))
	assert.Equal(t, []string{"output"}, closest("ouput", []string{"offset", "output", "outputs"}, typo))
	assert.Empty(t, closest("colour", []string{"offset", "output"}, typo))
	assert.Equal(t, []string{"registries"}, closest("registry", commandList(), typo))
	assert.Empty(t, closest("x", nil, nil))
}
