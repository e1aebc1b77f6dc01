package hsstest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss"
)

// Defaults a Server starts with unless options say otherwise.
const (
	// DefaultProjectID is the project the fake serves: 32 hex digits, the
	// shape of a real Huawei Cloud project id.
	DefaultProjectID = "0123456789abcdef0123456789abcdef"
	// DefaultToken is the IAM token the fake accepts in X-Auth-Token.
	DefaultToken = "MIIhsstest-fake-iam-token"
)

// Server is a fake HSS endpoint listening on loopback. Create it with
// NewServer or NewTLSServer and Close it when done. All its methods are
// safe for concurrent use, also while requests are being served.
type Server struct {
	ts   *httptest.Server
	cfg  config
	done chan struct{} // closed by Close: releases hanging and delayed requests

	closeOnce sync.Once
	serverNo  uint64        // tells request ids of different servers apart
	reqSeq    atomic.Uint64 // request id counter

	mu       sync.Mutex
	tasks    map[string][]Registry // task id -> registries (present = task exists)
	faults   []fault               // queued faults, oldest first
	latency  time.Duration
	hook     func(http.ResponseWriter, *http.Request) bool
	throttle throttle
	log      []RecordedRequest
}

// serverCount numbers servers so that request ids stay unique across
// servers in one test binary.
var serverCount atomic.Uint64

// NewServer starts a fake HSS endpoint on a plain-http loopback address
// (which the SDK accepts without WithInsecureHTTP).
func NewServer(opts ...Option) *Server {
	return start(false, opts)
}

// NewTLSServer starts a fake HSS endpoint speaking https with a self-signed
// certificate. Use Client or NewClient, whose transport trusts it.
func NewTLSServer(opts ...Option) *Server {
	return start(true, opts)
}

func start(tls bool, opts []Option) *Server {
	s := &Server{
		cfg:      newConfig(opts),
		done:     make(chan struct{}),
		serverNo: serverCount.Add(1),
		tasks:    make(map[string][]Registry),
	}
	s.throttle = throttle{limit: s.cfg.throttleLimit, window: s.cfg.throttleWindow}
	for _, sd := range s.cfg.seeds {
		s.Seed(sd.taskID, sd.n)
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if tls {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	return s
}

// Close stops the server and waits for the requests in progress. Requests
// held by HangNext, DelayNext or SetLatency are released first (their
// connection is closed without an answer), so Close never waits on them.
// Calling Close more than once is harmless.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.ts.Close()
	})
}

// URL returns the endpoint to give hss.NewClient, such as
// "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.ts.URL }

// ProjectID returns the only project id the server accepts.
func (s *Server) ProjectID() string { return s.cfg.projectID }

// Token returns the IAM token the server accepts in X-Auth-Token.
func (s *Server) Token() string { return s.cfg.token }

// HTTPClient returns an http.Client that reaches the server: for
// NewTLSServer its transport trusts the server's certificate. Its idle
// connections are closed by Close.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// NewClient returns an hss.Client for this server's URL and project,
// authenticated with Token() and sending through HTTPClient(). opts are
// applied after those, so they may replace the credentials or the
// http.Client.
func (s *Server) NewClient(opts ...hss.Option) (*hss.Client, error) {
	base := []hss.Option{hss.WithToken(s.cfg.token), hss.WithHTTPClient(s.ts.Client())}
	return hss.NewClient(s.ts.URL, s.cfg.projectID, append(base, opts...)...)
}

// Client is NewClient for tests: it fails t at once when the client cannot
// be built. Nothing needs closing: the client holds no resources beyond
// HTTPClient's connections, which Close releases.
func (s *Server) Client(t testing.TB, opts ...hss.Option) *hss.Client {
	c, err := s.NewClient(opts...)
	if err != nil && t != nil {
		t.Helper()
		t.Fatalf("hsstest: building hss client: %v", err)
	}
	return c
}

// nextRequestID returns a new X-Request-Id: 32 hex digits like the real
// service's, made of the server number and a counter, so ids are unique
// within the test binary and predictable enough to read in a log.
func (s *Server) nextRequestID() string {
	return fmt.Sprintf("%08x%024x", s.serverNo, s.reqSeq.Add(1))
}

// now reads the server's clock (WithNow).
func (s *Server) now() time.Time { return s.cfg.now() }
