// Package hsstest runs an in-process fake of the Huawei Cloud Host Security
// Service (HSS) API, so that code built on package hss can be tested without
// a cloud account, a network or a real gateway.
//
// The fake serves the one operation the SDK wraps,
//
//	GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries
//
// with the documented paging, filters and error answers, lets a test add
// routes of its own for other calls (HandleFunc), and adds what a test
// needs to reach the paths that are hard to reach against the real
// service: the gateway's quota, injected failures, latency, broken
// connections, tasks that progress, a fake clock and a log of what the
// client sent.
//
// A typical test:
//
//	func TestSyncReport(t *testing.T) {
//		clk := hsstest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
//		srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("task-1", 42))
//		defer srv.Close()
//		client := srv.Client(t) // token auth, on clk
//		report, err := mypkg.SyncReport(context.Background(), client, "task-1")
//		...
//		// then assert on srv.Requests(), srv.Throttled(), clk.Sleeps()
//	}
//
// The package imports neither testing nor net/http/httptest, so a program
// may embed the fake too (the hss command's --demo does): Client takes the
// small TB interface that *testing.T satisfies.
//
// # Starting and stopping
//
// NewServer listens on a plain-http loopback address, which the SDK accepts
// without WithInsecureHTTP; NewTLSServer speaks https with a certificate it
// generates for 127.0.0.1, ::1 and localhost. Both panic when they cannot
// listen, as httptest.NewServer does, or when an option was given a value
// it would have to cut short; Start(useTLS, opts...) returns the error
// instead. HTTPClient returns an http.Client that reaches the server
// without any proxy and, for TLS, trusts its certificate (a default
// http.Client does not: it fails with an x509.UnknownAuthorityError).
// NewClient and Client build an hss.Client for the server's URL, project and
// token that sends through HTTPClient; options given to them come last, so
// hss.WithAKSK or hss.WithToken replace the token.
//
// Close stops the server. Requests held by HangNext, DelayNext or
// SetLatency are released first, their connections closed without an
// answer, and then Close waits for every handler still running, an extra
// route's included, so the request log is complete when it returns.
// Calling it twice is harmless.
//
// An empty value given to an option (an empty id, a nil clock) leaves the
// default in place. A value that would have to be cut short is refused
// instead: WithSeed past MaxSeed makes Start return an *ArgError naming
// the option, the task and the range,
//
//	hsstest: WithSeed("big", 300000): n must be 0-100000 (MaxSeed)
//
// and NewServer panics with it. Every *ArgError of the package reads the
// same way: the call, the argument, what is allowed.
//
// # Time
//
// The server reads one clock for everything timed: the quota's windows, the
// X-Sdk-Date check of signed requests, settling (WithSettle),
// RecordedRequest.Time and the Date header of every answer. It is the
// wall clock unless WithNow or WithClock replaces it. WithClockOffset(d)
// makes it read d ahead (or behind) of that clock, as an API Gateway whose
// clock differs from the client's: NewClient and Client still give their
// hss.Client the configured clock, so a test can check how a client
// copes with the gap (see Authentication).
//
// Clock is a fake clock whose time moves only when told: Advance moves it,
// and Sleep and SleepUntil move it at once instead of waiting, so an hour
// of backoff runs in microseconds. Sleep(ctx, d) moves the clock to d after
// the time it was called, unless another sleeper has already moved it
// further, so sleepers that start together end together; SleepUntil(ctx, t)
// moves it to t unless it already reads later, so any number of goroutines
// waiting for one moment all wake at that moment. Both return ctx.Err() at
// once, moving nothing, when ctx is done. Sleeps and Slept report what was
// waited, for assertions on what the code under test chose to do.
//
// *Clock is an hss.Clock and its Now fits WithNow. WithClock(clk) does
// both: the server reads clk, and NewClient and Client give their
// hss.Client the same clock, so client and server share one time line. A
// test then asserts on what the client observed (clk.Sleeps(), the errors,
// srv.Requests()) and never on real durations.
//
// SetLatency, SetLatencyRange and DelayNext wait on real timers: they stand
// for a slow network, which a fake clock cannot slow down.
//
// Clock moves time at once for whoever sleeps, so it suits a test with one
// goroutine calling: goroutines that sleep until different moments do not
// take turns as on a real clock. For several Clients or goroutines at once,
// run the test in a testing/synctest bubble on the real clock code (no
// WithClock) with WithInMemoryNetwork: time is the bubble's, it moves only
// when every goroutine waits, and latency and timeouts take their turns too.
//
// # How the fake answers
//
// Each request goes through these steps, in this order; the first one that
// answers ends it. Every answer carries a unique X-Request-Id header (32 hex
// digits, unique across the servers of a process), repeated as request_id
// in error bodies, and a Date header from the server's clock.
//
//  1. Latency set with SetLatency, then the hook set with Handle, then the
//     oldest queued fault that applies to the request (FailNext,
//     FailNextRaw, DelayNext, HangNext, ResetNext, TruncateNext). These
//     apply whatever the request's credentials, because they stand for
//     trouble on the way; a fault queued through On or OnRequest applies
//     only to the requests it was tied to.
//  2. Routing: a GET on the built-in path is the built-in route; otherwise
//     the routes added with HandleFunc are tried in the order they were
//     added. Anything else, another method on the built-in path included,
//     gets 404 APIGW.0101 ("The API does not exist or has not been
//     published in the environment."), before authentication, as API
//     Gateway (which registers an API by method and path) answers. An
//     extra route added with Unauthenticated() answers now, skipping the
//     next three steps.
//  3. Authentication: X-Auth-Token must equal Token(); a request with an
//     "Authorization: SDK-HMAC-SHA256 ..." header is checked against the
//     keys given with WithAKSK or WithTemporaryAKSK instead. A failure is
//     401 APIGW.0301, worded as the gateway words it ("Incorrect IAM
//     authentication information: x-auth-token not found", "... decrypt
//     token fail", "... verify aksk signature fail", "... signature
//     expired, signature time:...,server time:...").
//  4. The quota (WithQuota, WithThrottle): 429 APIGW.0308.
//  5. Project: on the built-in route, and on an extra route whose pattern
//     has {project_id}, a project id other than ProjectID() gets
//     403 APIGW.0302 ("The IAM user is not authorized to access the
//     API."), because a token or key scoped to one project is refused for
//     another by the gateway before HSS sees the call; hss.IsAuthError
//     reports it, and hss.IsNotFound does not, so a misconfigured project
//     is not mistaken for a missing task.
//  6. An extra route's handler answers now. On the built-in route:
//     a bad offset, limit, filter or task id gets 400 HSS.0001 "Invalid
//     parameter."; an unknown task gets 400 HSS.0011 "Requested resource
//     not found." (HSS reports "not found" as 400, not 404); otherwise 200
//     with {"total_num": N, "data_list": [...]}.
//
// # Authentication
//
// Signatures are verified the way API Gateway verifies them, by a verifier
// that shares no code with the SDK's signer: the canonical path is built
// from the decoded path split at '/' (so an escaped slash, %2F, is signed
// as a slash), the query from the decoded parameters, the headers from the
// request's SignedHeaders, which must include x-sdk-date and, when the
// request carries one, x-security-token. The body is hashed, and left
// readable for an extra route's handler, unless X-Sdk-Content-Sha256 is
// set: its value, such as UNSIGNED-PAYLOAD, is then what was signed in the
// body's place. A key given with WithTemporaryAKSK also needs its
// X-Security-Token.
//
// X-Sdk-Date must be within 15 minutes of the server's clock. Outside,
// the answer is 401 APIGW.0301 with the gateway's message, which gives
// both times in the X-Sdk-Date layout, so a client can learn the
// server's clock from it (as the Date header also tells it):
//
//	Incorrect IAM authentication information: signature expired, signature time:20250101T000000Z,server time:20250101T010000Z
//
// WithoutTokenAuth makes the server refuse X-Auth-Token (401 APIGW.0301,
// "decrypt token fail"), so that only signed requests get through: a test
// proves that its code signs.
//
// # The gateway's quota
//
// WithQuota(Quota{Limit, Window}) throttles as API Gateway does: past Limit
// calls in a Window the server answers 429 APIGW.0308 with the gateway's
// own message,
//
//	The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute
//
// where the policy is Quota.Policy ("user" by default, or "ip" or "api"),
// and the window reads "N minute" when it is whole minutes, "N second"
// when whole seconds, else "N millisecond". Quota.Message replaces the
// whole message, for a gateway that does not name its limit.
// WithThrottle(limit, window) is WithQuota with the defaults.
//
// Windows are measured on the server's clock. Quota.Kind lays them out:
// FixedWindow (the default) opens a window with the first call after the
// last one ended; AlignedWindow starts one every Window, Quota.Phase after
// each multiple of Window since the Unix epoch, as a gateway counting per
// clock minute does; SlidingWindow throttles a call when Limit calls arrived
// in the Window before it. Like the gateway, the quota counts every call it
// sees, the ones it rejects included, so a client that keeps asking stays
// throttled until the window ends; it counts the calls to every route
// together, after authentication (a 404, a 401 or a call to an
// Unauthenticated route is not counted). The 429 carries Retry-After: the
// whole seconds until a call can get through again (the window's end; for a
// sliding window, when its oldest call leaves it), rounded up and at least
// 1, so a client that obeys never comes back early; Quota.NoRetryAfter
// leaves the header out, as the real gateway often does. A clock moved
// backwards opens a new window rather than lock the test out.
//
// SetQuota changes the quota while the server runs, as an operator would:
// the current window keeps its count, so a lower limit applies at once.
// A Limit below 1 or a Window of zero or less turns the quota off.
// Throttled returns how many calls the quota has answered with 429. Several
// hss.Clients of one server share its quota, as the processes of one user
// share the gateway's.
//
// # Extra routes
//
// HandleFunc(method, pathPattern, handler, opts...) fakes another call, an
// HSS one or any Huawei Cloud API a wrapper of hss also calls:
//
//	err := srv.HandleFunc(http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", createTask)
//
// A nil handler, a method that is not an HTTP token, or a pattern that no
// request could match or that reads like net/http.ServeMux syntax this
// matcher does not have is an *ArgError, and nothing is registered: a
// pattern must start with "/" and must not hold '?' or '#', end with "/",
// use {name...} or {$}, name a wildcard other than with a Go identifier or
// twice, hold a brace that does not make a whole segment a wildcard, or
// hold a '%' (write segments unescaped). On refuses the same patterns.
//
// A segment written {name} is a wildcard: it matches one whole, non-empty
// path segment, and the handler reads it, unescaped, with r.PathValue(name).
// Segments are compared after unescaping, one by one, so a%2Fb is the one
// segment "a/b", and a request's trailing slash is a segment of its own.
// The method must match exactly. The built-in route is tried first, then the extra
// routes in the order they were added; the first that matches answers.
//
// A request to an extra route goes through every step above: latency, the
// hook and the queued faults (FailNext answers it instead of the handler),
// authentication (token or signature, body included), the quota, and, when
// the pattern has {project_id}, the project check. The handler answers as
// it likes; its status is what the log records. Routes may be added while
// the server runs. hss.Client.Do reaches them with the Client's
// credentials, retries and error model.
//
// The option Unauthenticated() makes a route stand for a service outside
// HSS's API Gateway: it needs no credentials (none are checked), its
// project is not compared, and the quota neither counts nor throttles it;
// latency, the hook and queued faults still apply. Above all it fakes IAM,
// so that a credentials.NewPasswordTokenSource logs in at the same server
// its client then calls:
//
//	srv.HandleFunc(http.MethodPost, "/v3/auth/tokens", issueToken, hsstest.Unauthenticated())
//	tokens, err := credentials.NewPasswordTokenSource(credentials.PasswordConfig{
//		IAMEndpoint: srv.URL(), HTTPClient: srv.HTTPClient(), ProjectID: srv.ProjectID(), ...})
//	client := srv.Client(t, hss.WithCredentials(tokens))
//
// The handler answers as IAM does: 201, the token (srv.Token()) in
// X-Subject-Token, and {"token":{"expires_at":"..."}}.
//
// # Data and tasks that progress
//
// AddTask creates an empty task, AddRegistries appends registries to a task
// (creating it), Seed and WithSeed add generated ones (see SeedRegistries:
// the same for the same arguments, with every type and status), and
// Registries returns what the server holds. SeedRegistries, Seed and
// WithSeed generate 0 to MaxSeed (100,000) registries a call; any other
// count is an *ArgError, never a smaller seed. Seed again, under another
// task id for distinct ids, to build a larger task. A task that does not
// exist answers 400 HSS.0011; an empty one answers 200 with no registries.
//
// WithSettle(d) makes running registries settle d after they were added,
// measured on the server's clock: a running registry with a FailedReason
// becomes failed, any other finished. Before then it stays running. Both
// the listing and Registries show the settled status, so a wait loop (such
// as hss.Client.WaitSyncTask, on the shared fake clock) sees a task
// progress without the test touching the server.
//
// # Parameters
//
// offset is 0-2,000,000 (default 0) and limit 10-200 (default 10); both must
// be plain decimal digits. registry_name keeps registries whose name is
// exactly the value (the API reference does not say whether the real
// service matches exactly or by substring; an exact match is the strictest
// reading, so code that relies on fuzzy matching fails here first).
// registry_type is one or more documented types joined by commas;
// sync_status is one documented status. enterprise_project_id selects the
// enterprise project: absent or "0" means the default project "0", and
// "all_granted_eps" means every project. A parameter given twice or given
// empty, a name over 128 characters, an enterprise project id over 256 or a
// task id over 64 is 400 HSS.0001. Unknown parameters are ignored.
// total_num counts the registries matching the filters; data_list is the
// requested slice of them, in the order they were added.
//
// # Faults
//
// Faults are queued: each call adds after those already waiting, and each
// request takes the oldest queued fault that applies to it. FailNext answers
// with a status and an error body, FailNextRaw with any status and bytes;
// DelayNext holds a request, then lets the API answer; HangNext never
// answers; ResetNext resets the connection (TCP RST); TruncateNext lets the
// API answer but cuts the body in half under the whole body's
// Content-Length. A client that gives up (its context ends) while a request
// is held gets no answer, and neither does one held when the server closes.
// SetLatency holds every request before anything else, and Handle installs a
// hook that may answer any request itself.
//
// A fault queued with the Server's methods applies to any request, so one
// meant for a call the client skips (it learned the quota and waited, say)
// lands on the next, unrelated one. Tie it instead: On(method,
// pathPattern) and OnRequest(match) return a Faults whose methods, the
// same six, queue faults that only a matching request takes:
//
//	err := srv.On(http.MethodGet, hsstest.RegistriesPattern).FailNext(1, 503, "APIGW.0613", "busy")
//	err = srv.On(http.MethodPost, "/v3/auth/tokens").ResetNext(1)
//	err = srv.OnRequest(func(r *http.Request) bool { return r.URL.Query().Get("offset") == "200" }).HangNext(1)
//
// On compares the method exactly and the path as HandleFunc does, ignoring
// the query; OnRequest's match sees the whole request but must not read
// its body. Both check their arguments the same way (n of at least 1, a
// status of 200-999, a delay of 0 or more, a valid pattern) and queue
// nothing for one they cannot use; a Faults method also says so with an
// *ArgError, which the Server's methods have no way to return.
//
// PendingFaults says how many requests the queued faults, tied or not,
// still apply to: a test that ends with
//
//	assert.Zero(t, srv.PendingFaults())
//
// proves that every fault it queued was used. ClearFaults drops the
// queue, the latency and the hook.
//
// # The request log
//
// Requests returns a RecordedRequest per request, oldest first, once its
// handling is over: the time on the server's clock, method, escaped path,
// raw query, the kind of credentials (AuthNone, AuthToken, AuthAKSK), the
// AK a signed request named, why the credentials were refused, the status
// answered (0 when none was: a reset, a hang, a client or a server gone),
// the X-Request-Id, and the fault that answered. It never holds a secret:
// not the token, the SK, the signature or the security token, whatever the
// request carried.
package hsstest
