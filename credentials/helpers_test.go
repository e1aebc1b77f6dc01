// Helpers of the tests: fake IAM and metadata servers, environment lookups, files, and calls made concurrently.
package credentials_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAK      = "QTWAOYTTINDUT2QVKYUC"
	testSK      = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	testToken   = "security-token-0123456789-SECRET"
	testProject = "0123456789abcdef0123456789abcdef"

	iamDomain   = "my-domain"
	iamUser     = "hss-reader"
	iamPassword = "iam-Passw0rd-SECRET"
)

// epoch is where the fake clocks start, far from the wall clock, so that
// anything dated by the wrong clock shows.
var epoch = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

// assertNoSecrets fails when s holds a secret, as is or hex-encoded (as %x
// of a string would print it).
func assertNoSecrets(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		assert.NotContains(t, s, sec, "a secret leaked")
		assert.NotContains(t, strings.ToLower(s), hex.EncodeToString([]byte(sec)), "a secret leaked hex-encoded")
	}
}

// lookup is a Getenv backed by a map.
func lookup(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeFile writes content to name under dir, mode 0600, and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	require.NoError(t, os.Chmod(path, 0o600)) // whatever the umask
	return path
}

// writeHomeProfile writes ~/.huaweicloud/credentials under home.
func writeHomeProfile(t *testing.T, home, content string) string {
	t.Helper()
	return writeFile(t, home, filepath.Join(".huaweicloud", "credentials"), content)
}

// mustReturn runs f and fails the test if it has not returned after a
// minute: it guards calls that must not block on a server the test holds,
// so that a regression fails with a message instead of hanging the suite.
// A minute is far beyond any honest run; the test never waits for it.
func mustReturn(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s did not return", what)
	}
}

// gate holds requests until it is opened; opening twice is harmless.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// wait blocks until the gate opens or r's client goes away.
func (g *gate) wait(r *http.Request) {
	select {
	case <-g.ch:
	case <-r.Context().Done():
	}
}

// iamServer plays IAM's POST /v3/auth/tokens. It is hand-made because
// hsstest fakes HSS, whose routes demand HSS credentials, not an IAM login.
// Login n hands out "iam-token-secret-n", valid for ttl from clk's time;
// answer, when set, may answer login n instead.
type iamServer struct {
	*httptest.Server
	clk     *hsstest.Clock
	ttl     time.Duration
	logins  atomic.Int32
	arrived chan int // each login's number, as it arrives
	hold    func(n int) *gate
	answer  func(n int, w http.ResponseWriter, r *http.Request) bool

	mu   sync.Mutex
	last *http.Request
	body string
}

func newIAMServer(t *testing.T, clk *hsstest.Clock) *iamServer {
	t.Helper()
	is := &iamServer{clk: clk, ttl: 24 * time.Hour, arrived: make(chan int, 1000)}
	is.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(is.logins.Add(1))
		body, _ := io.ReadAll(r.Body)
		is.mu.Lock()
		is.last, is.body = r, string(body)
		is.mu.Unlock()
		is.arrived <- n
		if is.hold != nil {
			if g := is.hold(n); g != nil {
				g.wait(r)
			}
		}
		if is.answer != nil && is.answer(n, w, r) {
			return
		}
		w.Header().Set("X-Subject-Token", fmt.Sprintf("iam-token-secret-%d", n))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q,"issued_at":%q,"methods":["password"]}}`,
			clk.Now().Add(is.ttl).Format("2006-01-02T15:04:05.000000Z"), clk.Now().Format(time.RFC3339))
	}))
	t.Cleanup(is.Close)
	return is
}

func (is *iamServer) config() credentials.PasswordConfig {
	return credentials.PasswordConfig{
		DomainName: iamDomain, UserName: iamUser, Password: iamPassword, ProjectID: testProject,
		IAMEndpoint: is.URL, Now: is.clk.Now,
	}
}

func (is *iamServer) tokenSource(t *testing.T) *credentials.TokenSource {
	t.Helper()
	ts, err := credentials.NewPasswordTokenSource(is.config())
	require.NoError(t, err)
	return ts
}

// metadataServer plays the ECS metadata service, hand-made for the same
// reason as iamServer: fetch n hands out TMPAKn / tmp-sk-secret-n /
// tmp-token-secret-n, valid for ttl from clk's time.
type metadataServer struct {
	*httptest.Server
	clk     *hsstest.Clock
	ttl     time.Duration
	hits    atomic.Int32
	arrived chan int
	hold    func(n int) *gate
	answer  func(n int, w http.ResponseWriter, r *http.Request) bool
}

func newMetadataServer(t *testing.T, clk *hsstest.Clock) *metadataServer {
	t.Helper()
	ms := &metadataServer{clk: clk, ttl: time.Hour, arrived: make(chan int, 1000)}
	ms.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(ms.hits.Add(1))
		ms.arrived <- n
		if r.Method != http.MethodGet || r.URL.Path != "/openstack/latest/securitykey" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
			return
		}
		if ms.hold != nil {
			if g := ms.hold(n); g != nil {
				g.wait(r)
			}
		}
		if ms.answer != nil && ms.answer(n, w, r) {
			return
		}
		fmt.Fprintf(w, `{"credential":{"access":"TMPAK%d","secret":"tmp-sk-secret-%d","securitytoken":"tmp-token-secret-%d","expires_at":%q}}`,
			n, n, n, clk.Now().Add(ms.ttl).Format(time.RFC3339Nano))
	}))
	t.Cleanup(ms.Close)
	return ms
}

func (ms *metadataServer) url() string { return ms.URL + "/openstack/latest/securitykey" }

func (ms *metadataServer) config() credentials.MetadataConfig {
	return credentials.MetadataConfig{URL: ms.url(), Now: ms.clk.Now}
}

// retrieve calls p.Retrieve with a background context.
func retrieve(t *testing.T, p credentials.Provider) credentials.Value {
	t.Helper()
	v, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	return v
}

// concurrently starts n goroutines that each make call once, and returns
// when all have started; collect waits for them and returns what each
// got, checking that none failed.
func concurrently(t *testing.T, n int, call func() (string, error)) (collect func() []string) {
	t.Helper()
	var started, done sync.WaitGroup
	got := make([]string, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			v, err := call()
			assert.NoError(t, err)
			got[i] = v
		}()
	}
	started.Wait()
	return func() []string {
		done.Wait()
		return got
	}
}
