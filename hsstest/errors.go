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
// A nil *ArgError reads "<nil>", as fmt prints it.
func (e *ArgError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return "hsstest: " + e.Call + ": " + e.Arg + " " + e.Reason
}

// nilServer is the error of a method of a nil *Server that has one to
// return.
func nilServer(call string) error {
	return &ArgError{Call: "Server." + call, Arg: "receiver", Reason: "is nil; start a Server with NewServer, NewTLSServer or Start"}
}
