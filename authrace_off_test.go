//go:build !race

package hss

// authRaceEnabled: see authrace_on_test.go.
const authRaceEnabled = false
