package hsstest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// fault is one queued misbehaviour with the number of requests it still
// applies to. Only left changes once it is queued, under Server.mu.
type fault struct {
	kind   FaultKind
	left   int
	status int         // FaultFail
	header http.Header // FaultFail: set on top of the defaults
	body   []byte      // FaultFail, FailNextRaw
	code   string      // FaultFail, FailNext: error_code (with msg, the body is built per request)
	msg    string
	isJSON bool // FailNext: body is errorJSON{code, msg, request id}
	delay  time.Duration
	match  func(*http.Request) bool // the requests it applies to; nil: every one
}

// applies reports whether the fault may answer r.
func (f *fault) applies(r *http.Request) bool { return f.match == nil || f.match(r) }

// FailNext answers the next n requests with status and the error body
// {"error_code": code, "error_msg": msg, "request_id": ...}. Headers in
// header are set on top of the usual ones, so
// http.Header{"Retry-After": {"3"}} asks the client to wait, and a key with
// a nil value (http.Header{"X-Request-Id": nil}) removes that header.
//
// Faults are queued: each call adds after those already waiting, and each
// request takes the oldest queued fault that applies to it. A fault queued
// here applies to any request, whatever its path or credentials; On and
// OnRequest queue faults that apply only to the requests they select.
//
// The Server's fault methods take the arguments their namesakes on Faults
// take, and have no error to return them with: an argument Faults refuses
// with an *ArgError (n below 1, a status outside 200-999, which net/http
// cannot send, a negative delay) queues nothing here either, and
// PendingFaults does not count it. To have such a mistake reported, queue
// through On or OnRequest, whose methods return the *ArgError.
func (s *Server) FailNext(n, status int, code, msg string, header ...http.Header) {
	_ = s.anyRequest().FailNext(n, status, code, msg, header...)
}

// anyRequest is the Faults of every request, through which the Server's
// own fault methods queue, so that they check what Faults checks.
func (s *Server) anyRequest() *Faults {
	return &Faults{s: s, call: "Server"}
}

// failFault is the fault FailNext queues.
func failFault(n, status int, code, msg string, header []http.Header) *fault {
	return &fault{kind: FaultFail, left: n, status: status, code: code, msg: msg, isJSON: true,
		header: mergeHeaders(http.Header{"Content-Type": {jsonContentType}}, header)}
}

// FailNextRaw answers the next n requests with status and exactly body (a
// gateway's HTML page, malformed JSON, nothing at all), plus header as in
// FailNext. It is queued like FailNext.
func (s *Server) FailNextRaw(n, status int, body []byte, header ...http.Header) {
	_ = s.anyRequest().FailNextRaw(n, status, body, header...)
}

// rawFault is the fault FailNextRaw queues.
func rawFault(n, status int, body []byte, header []http.Header) *fault {
	return &fault{kind: FaultFail, left: n, status: status,
		body: append([]byte(nil), body...), header: mergeHeaders(http.Header{}, header)}
}

// DelayNext holds each of the next n requests for d, then lets the API
// answer. If the client gives up (its context ends) or the server closes
// first, the request gets no answer. It is queued like FailNext.
func (s *Server) DelayNext(n int, d time.Duration) {
	_ = s.anyRequest().DelayNext(n, d)
}

// HangNext never answers the next n requests: each is held until the
// client gives up or the server closes, to test timeouts and
// cancellation. It is queued like FailNext.
func (s *Server) HangNext(n int) {
	_ = s.anyRequest().HangNext(n)
}

// ResetNext resets the connection of each of the next n requests (TCP RST)
// without an answer. It is queued like FailNext.
//
// While a reset is queued the server closes its idle connections and stops
// keeping connections alive. net/http's Transport silently retries a GET
// whose reused keep-alive connection breaks before the answer; on a fresh
// connection the client really sees the reset.
func (s *Server) ResetNext(n int) {
	_ = s.anyRequest().ResetNext(n)
}

// TruncateNext lets the API answer each of the next n requests but cuts
// the body: the answer declares the Content-Length of the whole body, sends
// half of it and closes the connection, as a broken proxy would. The
// client reads an unexpected EOF. It is queued like FailNext.
func (s *Server) TruncateNext(n int) {
	_ = s.anyRequest().TruncateNext(n)
}

// SetLatency holds every request for d before anything else happens
// (queued faults included), until called again; 0 turns it off. A client
// that gives up first gets no answer.
func (s *Server) SetLatency(d time.Duration) {
	s.SetLatencyRange(d, d)
}

// Handle installs a hook called for every request after latency and before
// queued faults. When it returns true it has answered and the server does
// nothing more; false lets the request go on. w may be hijacked. The hook
// runs concurrently for concurrent requests. nil removes it.
func (s *Server) Handle(hook func(w http.ResponseWriter, r *http.Request) bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.hook = hook
	s.mu.Unlock()
}

// ClearFaults drops the queued faults, the latency and the hook.
func (s *Server) ClearFaults() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.faults, s.latency, s.jitter, s.hook = nil, 0, 0, nil
	s.mu.Unlock()
	s.hs.SetKeepAlivesEnabled(true)
}

// PendingFaults returns how many requests the queued faults still apply
// to, those queued with On and OnRequest included, so a test can check
// that every fault it queued was used: a fault tied to a call the client
// never made is still counted.
func (s *Server) PendingFaults() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.left
	}
	return n
}

// enqueue adds f, which Faults.add checked, at the end of the queue.
func (s *Server) enqueue(f *fault) {
	if f.kind == FaultReset {
		s.hs.SetKeepAlivesEnabled(false) // also closes idle connections
		// HTTPClient's pooled connections are dead now: drop them, so that
		// a request that net/http does not replay (a POST) reaches the
		// fault.
		s.client.CloseIdleConnections()
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// popFault takes one request's worth of the oldest queued fault that
// applies to r. The matchers run without s.mu held, so that one may call
// the Server's methods: a fault another request took meanwhile is looked
// for again.
func (s *Server) popFault(r *http.Request) (fault, bool) {
	for {
		s.mu.Lock()
		if len(s.faults) == 0 {
			s.mu.Unlock()
			return fault{}, false
		}
		queue := slices.Clone(s.faults)
		s.mu.Unlock()

		i := slices.IndexFunc(queue, func(f *fault) bool { return f.applies(r) })
		if i < 0 {
			return fault{}, false
		}
		if f, ok := s.take(queue[i]); ok {
			return f, true
		}
	}
}

// take takes one request's worth of f; false when f has left the queue
// (used up or cleared) since the caller looked.
func (s *Server) take(f *fault) (fault, bool) {
	s.mu.Lock()
	i := slices.Index(s.faults, f)
	if i < 0 {
		s.mu.Unlock()
		return fault{}, false
	}
	taken := *f
	if f.left--; f.left == 0 {
		s.faults = slices.Delete(s.faults, i, i+1)
	}
	resetQueued := slices.ContainsFunc(s.faults, func(q *fault) bool { return q.kind == FaultReset })
	s.mu.Unlock()
	if taken.kind == FaultReset && !resetQueued {
		s.hs.SetKeepAlivesEnabled(true) // the last queued reset is taken
	}
	return taken, true
}

func (s *Server) currentHook() func(http.ResponseWriter, *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hook
}

// applyLatency waits out SetLatency; false means the request is over.
// logNow records the request; it is called before the connection is closed.
func (s *Server) applyLatency(w http.ResponseWriter, r *http.Request, logNow func()) bool {
	d := s.nextLatency()
	return d <= 0 || s.pause(w, r, d, logNow)
}

// applyFault carries out f; true means it answered (or dropped) the
// request, false that the API should answer now. logNow records the
// request; faults that close the connection call it first.
func (s *Server) applyFault(f fault, w http.ResponseWriter, r *http.Request, rec *RecordedRequest, logNow func()) bool {
	switch f.kind {
	case FaultFail:
		for k, v := range f.header {
			w.Header()[k] = append([]string(nil), v...)
		}
		body := f.body
		if f.isJSON {
			body, _ = json.Marshal(errorJSON{ErrorCode: f.code, ErrorMsg: f.msg, RequestID: rec.RequestID})
		}
		w.WriteHeader(f.status)
		_, _ = w.Write(body)
		return true
	case FaultDelay:
		return !s.pause(w, r, f.delay, logNow)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
			abort(w, logNow)
		}
		return true
	case FaultReset:
		reset(w, logNow)
		return true
	case FaultTruncate:
		s.truncate(w, r, rec, logNow)
		return true
	}
	return false
}

// pause waits d; false means the client left or the server closed first
// (the connection is then dropped without an answer).
func (s *Server) pause(w http.ResponseWriter, r *http.Request, d time.Duration, logNow func()) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		abort(w, logNow)
		return false
	}
}

// abort closes the connection without an answer. Returning from a handler
// without writing would send an empty 200, which is not what a server that
// went away looks like.
func abort(w http.ResponseWriter, logNow func()) {
	logNow()
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// reset closes the connection with SO_LINGER 0, which makes the kernel send
// a TCP RST: the client reads "connection reset by peer". Under TLS the TCP
// connection is closed directly: closing the *tls.Conn would first send a
// close_notify alert, which the client reads as a clean EOF.
func reset(w http.ResponseWriter, logNow func()) {
	logNow()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := tcpConn(conn); ok {
		_ = tc.SetLinger(0)
		_ = tc.Close()
		return
	}
	_ = conn.Close()
}

// tcpConn finds the TCP connection under conn, which is a *tls.Conn for
// NewTLSServer.
func tcpConn(conn net.Conn) (*net.TCPConn, bool) {
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = nc.NetConn()
	}
	tc, ok := conn.(*net.TCPConn)
	return tc, ok
}

// truncate lets the API answer into a buffer, then writes that answer by
// hand on the hijacked connection with the full Content-Length and half the
// body, and closes the connection.
func (s *Server) truncate(w http.ResponseWriter, r *http.Request, rec *RecordedRequest, logNow func()) {
	full := &recorder{header: http.Header{}}
	full.Header().Set("X-Request-Id", rec.RequestID)
	s.serveAPI(full, r, rec)
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	body := full.body.Bytes()
	h := full.Header()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Connection", "close")
	rec.Status = full.code
	logNow()
	writeRaw(buf, full.code, h, body[:len(body)/2])
}

// recorder keeps an answer in memory, for TruncateNext to send half of it.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// writeRaw writes an HTTP/1.1 answer as is.
func writeRaw(buf *bufio.ReadWriter, status int, h http.Header, body []byte) {
	_, _ = buf.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body)
	_ = buf.Flush()
}

// mergeHeaders copies every header of extra into base (a nil value kept
// as nil, to remove a header) and returns base.
func mergeHeaders(base http.Header, extra []http.Header) http.Header {
	for _, h := range extra {
		for k, v := range h {
			k = http.CanonicalHeaderKey(k)
			if v == nil {
				base[k] = nil
				continue
			}
			base[k] = append([]string(nil), v...)
		}
	}
	return base
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records the implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Hijack, Flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes through, for hooks that stream.
func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Hijack passes through, for hooks that type-assert http.Hijacker.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
