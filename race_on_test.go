//go:build race

// raceEnabled for a test binary built with the race detector.
package hss

// raceEnabled reports whether the tests run under the race detector, which
// makes sync.Pool drop some of what it is given (so pooled scratch shows up
// in allocation counts).
const raceEnabled = true
