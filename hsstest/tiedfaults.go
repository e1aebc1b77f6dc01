package hsstest

import (
	"fmt"
	"net/http"
	"time"
)

// Faults queues faults tied to the requests it selects: a fault queued
// through it answers only a request that matches, and waits in the queue,
// counted by PendingFaults, until one comes. A test of a client that may
// skip a call (one that learned the quota and waited, say) thus never has
// the fault land on a later, unrelated call.
//
// Server.On and Server.OnRequest return one. Its methods are the Server's
// namesakes, with the same queue and the same order (each request takes
// the oldest queued fault that applies to it, tied or not), and the same
// checks of their arguments, which they report: n below 1, a status
// outside 200-999, a negative delay or a bad pattern given to On is an
// *ArgError, and nothing is queued (the Server's methods, which have no
// error to return, queue nothing either). A Faults may be kept and used
// again; it is safe for concurrent use.
type Faults struct {
	s     *Server
	call  string // how it was made, for errors: On("GET", "/x")
	match func(*http.Request) bool
	err   error // what On or OnRequest refused
}

// On returns the faults for requests with method (compared exactly) whose
// path matches pathPattern, a pattern as HandleFunc takes: its {name}
// segments match any one non-empty segment, and the query is not looked
// at. RegistriesPattern is the built-in route's:
//
//	srv.On(http.MethodGet, hsstest.RegistriesPattern).FailNext(1, 503, "APIGW.0613", "busy")
//
// fails the next listing, whatever other calls come first. An empty method
// or a pattern not starting with "/" makes every method of the result
// return an *ArgError.
func (s *Server) On(method, pathPattern string) *Faults {
	call := fmt.Sprintf("On(%q, %q)", method, pathPattern)
	if s == nil {
		return &Faults{call: call, err: nilServer(call)}
	}
	pat, err := parsePattern(call, method, pathPattern)
	return &Faults{s: s, call: call, err: err, match: func(r *http.Request) bool {
		if r.Method != method {
			return false
		}
		_, ok := pat.match(r.URL.EscapedPath())
		return ok
	}}
}

// OnRequest returns the faults for the requests match selects, to tie a
// fault to what On does not see: a query (the page at offset=200), a
// header, the credentials. match gets each request as it reaches the queue,
// after latency and the hook and before anything reads the body; it must
// not read the body, and it may run concurrently for concurrent requests.
// It may call the Server's methods. A nil match makes every method of the
// result return an *ArgError.
func (s *Server) OnRequest(match func(r *http.Request) bool) *Faults {
	if s == nil {
		return &Faults{call: "OnRequest", err: nilServer("OnRequest")}
	}
	f := &Faults{s: s, call: "OnRequest", match: match}
	if match == nil {
		f.err = &ArgError{Call: "OnRequest(nil)", Arg: "match", Reason: "must not be nil"}
	}
	return f
}

// FailNext answers the next n matching requests as Server.FailNext does.
func (f *Faults) FailNext(n, status int, code, msg string, header ...http.Header) error {
	if err := f.checkStatus("FailNext", status); err != nil {
		return err
	}
	return f.add("FailNext", n, failFault(n, status, code, msg, header))
}

// FailNextRaw answers the next n matching requests as Server.FailNextRaw
// does.
func (f *Faults) FailNextRaw(n, status int, body []byte, header ...http.Header) error {
	if err := f.checkStatus("FailNextRaw", status); err != nil {
		return err
	}
	return f.add("FailNextRaw", n, rawFault(n, status, body, header))
}

// DelayNext holds each of the next n matching requests for d, as
// Server.DelayNext does. d must not be negative.
func (f *Faults) DelayNext(n int, d time.Duration) error {
	if err := f.usable("DelayNext"); err != nil {
		return err
	}
	if d < 0 {
		return &ArgError{Call: f.call + ".DelayNext", Arg: "d", Reason: fmt.Sprintf("must not be negative, got %s", d)}
	}
	return f.add("DelayNext", n, &fault{kind: FaultDelay, left: n, delay: d})
}

// HangNext never answers the next n matching requests, as Server.HangNext.
func (f *Faults) HangNext(n int) error {
	return f.add("HangNext", n, &fault{kind: FaultHang, left: n})
}

// ResetNext resets the connection of each of the next n matching requests,
// as Server.ResetNext does; connections are not kept alive while it waits.
func (f *Faults) ResetNext(n int) error {
	return f.add("ResetNext", n, &fault{kind: FaultReset, left: n})
}

// TruncateNext cuts the body of the answers to the next n matching
// requests, as Server.TruncateNext does.
func (f *Faults) TruncateNext(n int) error {
	return f.add("TruncateNext", n, &fault{kind: FaultTruncate, left: n})
}

// usable returns what keeps f from queueing faults, or nil: an *ArgError
// for a Faults that did not come from On or OnRequest, or the error of the
// On or OnRequest call that refused its arguments.
func (f *Faults) usable(method string) error {
	switch {
	case f != nil && f.err != nil:
		return f.err
	case f == nil || f.s == nil:
		return &ArgError{Call: "Faults." + method, Arg: "receiver", Reason: "must come from Server.On or Server.OnRequest"}
	}
	return nil
}

// checkStatus refuses a status net/http cannot send as a final answer.
func (f *Faults) checkStatus(method string, status int) error {
	if err := f.usable(method); err != nil {
		return err
	}
	if status < 200 || status > 999 {
		return &ArgError{Call: f.call + "." + method, Arg: "status", Reason: fmt.Sprintf("must be 200-999, got %d", status)}
	}
	return nil
}

// add ties q to f's requests and queues it for n requests.
func (f *Faults) add(method string, n int, q *fault) error {
	if err := f.usable(method); err != nil {
		return err
	}
	if n < 1 {
		return &ArgError{Call: f.call + "." + method, Arg: "n", Reason: fmt.Sprintf("must be at least 1, got %d", n)}
	}
	q.match = f.match
	f.s.enqueue(q)
	return nil
}
