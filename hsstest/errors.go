package hsstest

// ArgError reports an argument that hsstest cannot use: a count past its
// bound, a pattern that no request could match, a status net/http cannot
// send. Nothing has changed when it is returned: no server started, no
// registry added, no route or fault queued.
type ArgError struct {
	// Call is the call that was refused, as written, such as
	// `WithSeed("big", 300000)` or `Faults.FailNext`.
	Call string
	// Arg names the argument, such as "n" or "pathPattern".
	Arg string
	// Reason says what is wrong and what is allowed, such as
	// "must be 0-100000 (MaxSeed)".
	Reason string
}

// Error reads "hsstest: WithSeed("big", 300000): n must be 0-100000 (MaxSeed)".
func (e *ArgError) Error() string {
	return "hsstest: " + e.Call + ": " + e.Arg + " " + e.Reason
}
