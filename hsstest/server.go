package hsstest

import (
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
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
// NewServer or NewTLSServer (or Start) and Close it when done. All its
// methods are safe for concurrent use, also while requests are being served.
// None panics on a nil *Server: those that return an error return an
// *ArgError, Client fails its t, and the others do nothing and return
// zero values.
type Server struct {
	cfg      config
	url      string
	hs       *http.Server
	ln       net.Listener
	client   *http.Client
	done     chan struct{} // closed by Close: releases hanging and delayed requests
	inflight sync.WaitGroup

	closeOnce sync.Once
	serverNo  uint64        // tells request ids of different servers apart
	reqSeq    atomic.Uint64 // request id counter

	mu       sync.Mutex
	closed   bool             // Close has begun: no handler may join inflight
	tasks    map[string]*task // task id -> task (present = task exists)
	faults   []*fault         // queued faults, oldest first
	latency  time.Duration
	jitter   time.Duration // SetLatencyRange: up to this much more than latency
	rng      *rand.Rand    // draws the jitter
	hook     func(http.ResponseWriter, *http.Request) bool
	routes   []route
	throttle throttle
	log      []RecordedRequest
}

// serverCount numbers servers so that request ids stay unique across
// servers in one process.
var serverCount atomic.Uint64

// NewServer starts a fake HSS endpoint on a plain-http loopback address
// (which the SDK accepts without WithInsecureHTTP). Like httptest.NewServer
// it panics when it cannot listen on loopback, and it panics with the
// *ArgError of an option it cannot apply (WithSeed past MaxSeed); Start
// returns those errors instead.
func NewServer(opts ...Option) *Server {
	s, err := Start(false, opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// NewTLSServer starts a fake HSS endpoint speaking https with a
// self-signed certificate. Use Client, NewClient or HTTPClient, which trust
// it. It panics as NewServer does; Start returns the error instead.
func NewTLSServer(opts ...Option) *Server {
	s, err := Start(true, opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// Start starts a fake HSS endpoint, speaking https with a self-signed
// certificate when useTLS is set, and returns an error when it cannot: an
// *ArgError when an option was given a value it cannot apply, before
// anything is started.
func Start(useTLS bool, opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		done:     make(chan struct{}),
		serverNo: serverCount.Add(1),
		tasks:    make(map[string]*task),
	}
	s.rng = rand.New(rand.NewPCG(s.serverNo, 0x6873737465737421))
	s.throttle.quota = s.cfg.quota
	for _, sd := range s.cfg.seeds {
		s.seed(sd.taskID, sd.n)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	var ln net.Listener
	if s.cfg.inMemory {
		mem := newMemoryListener(20000 + s.serverNo%40000)
		transport.DialContext, ln = mem.dial, mem
	} else {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("hsstest: cannot listen on loopback: %w", err)
		}
	}
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: time.Minute}
	scheme := "http"
	if useTLS {
		cert, pool, err := newCertificate()
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("hsstest: making a certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}
	transport.Proxy = nil // a proxy in the environment must not see test traffic
	s.ln = ln
	s.url = scheme + "://" + ln.Addr().String()
	s.client = &http.Client{Transport: transport}
	go func() { _ = s.hs.Serve(ln) }() // returns http.ErrServerClosed on Close
	return s, nil
}

// Close stops the server, closes every connection and waits for the
// requests in progress. Requests held by HangNext, DelayNext or SetLatency
// are released first (their connection is closed without an answer), so
// Close never waits on them. Calling Close more than once is harmless.
func (s *Server) Close() {
	if s == nil {
		return
	}
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.done)
		_ = s.hs.Close()
		s.inflight.Wait()
		s.client.CloseIdleConnections()
	})
}

// enter counts a handler in inflight, so that Close waits for it; false
// means the server is closing and the request must not be served. Counting
// under s.mu keeps every Add before Close's Wait.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// URL returns the endpoint to give hss.NewClient, such as
// "http://127.0.0.1:41234".
func (s *Server) URL() string {
	if s == nil {
		return ""
	}
	return s.url
}

// ProjectID returns the only project id the server accepts.
func (s *Server) ProjectID() string {
	if s == nil {
		return ""
	}
	return s.cfg.projectID
}

// Token returns the IAM token the server accepts in X-Auth-Token.
func (s *Server) Token() string {
	if s == nil {
		return ""
	}
	return s.cfg.token
}

// HTTPClient returns an http.Client that reaches the server, bypassing any
// proxy; for a TLS server its transport trusts the server's certificate.
// Its idle connections are closed by Close. A nil *Server has none: nil.
func (s *Server) HTTPClient() *http.Client {
	if s == nil {
		return nil
	}
	return s.client
}

// NewClient returns an hss.Client for this server's URL and project,
// authenticated with Token(), sending through HTTPClient(), and on the
// server's Clock when WithClock gave one. opts are applied after those, so
// they may replace any of them.
func (s *Server) NewClient(opts ...hss.Option) (*hss.Client, error) {
	if s == nil {
		return nil, nilServer("NewClient")
	}
	base := []hss.Option{hss.WithToken(s.cfg.token), hss.WithHTTPClient(s.client)}
	if s.cfg.clock != nil {
		base = append(base, hss.WithClock(s.cfg.clock))
	}
	return hss.NewClient(s.url, s.cfg.projectID, append(base, opts...)...)
}

// TB is the part of testing.TB that Client uses. *testing.T and *testing.B
// satisfy it; hsstest itself does not import package testing, so programs
// (such as the hss command's --demo) can embed the fake.
type TB interface {
	// Helper marks the caller as a test helper, so that a failure is
	// reported at the line that called Client.
	Helper()
	// Fatalf reports a failure and stops the test, as testing.TB's does.
	Fatalf(format string, args ...any)
}

// Client is NewClient for tests: it fails t at once when the client cannot
// be built. Nothing needs closing: the client holds no resources beyond
// HTTPClient's connections, which Close releases.
func (s *Server) Client(t TB, opts ...hss.Option) *hss.Client {
	c, err := s.NewClient(opts...)
	if err != nil && t != nil {
		t.Helper()
		t.Fatalf("hsstest: building hss client: %v", err)
	}
	return c
}

// nextRequestID returns a new X-Request-Id: 32 hex digits like the real
// service's, made of the server number and a counter, so ids are unique
// within the process and predictable enough to read in a log.
func (s *Server) nextRequestID() string {
	return fmt.Sprintf("%08x%024x", s.serverNo, s.reqSeq.Add(1))
}

// now reads the server's clock (WithNow, WithClock).
func (s *Server) now() time.Time { return s.cfg.now() }
