//go:build race

package hss

// authRaceEnabled: the race detector makes sync.Pool drop items at random,
// so allocation counts mean nothing under it.
const authRaceEnabled = true
