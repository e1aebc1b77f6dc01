// Package hsstest runs an in-process fake of the Huawei Cloud Host Security
// Service (HSS) API, so that code built on package hss can be tested without
// a cloud account, a network or a real gateway.
//
// The fake serves the one operation the SDK wraps,
//
//	GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries
//
// with the documented paging, filters and error answers, and adds what a
// test needs to reach the paths that are hard to reach against the real
// service: throttling, injected failures, latency, broken connections and a
// log of what the client sent.
//
// A typical test:
//
//	func TestSyncReport(t *testing.T) {
//		srv := hsstest.NewServer()
//		defer srv.Close()
//		srv.Seed("task-1", 42)
//		client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
//		report, err := mypkg.SyncReport(context.Background(), client, "task-1")
//		...
//	}
//
// # How the fake answers
//
// Each request goes through these steps, in this order; the first one that
// answers ends it. Every answer carries a unique X-Request-Id header.
//
//  1. Latency set with SetLatency, then the hook set with Handle, then the
//     next queued fault (FailNext, FailNextRaw, DelayNext, HangNext,
//     ResetNext, TruncateNext). Faults apply to any request, whatever its
//     path or credentials, because they stand for trouble on the way.
//  2. Routing: any other path, or a method other than GET, gets
//     404 APIGW.0101, as API Gateway (which registers an API by method and
//     path) answers.
//  3. Authentication: X-Auth-Token must equal Token(); a request with an
//     "Authorization: SDK-HMAC-SHA256 ..." header is checked against the keys
//     given with WithAKSK or WithTemporaryAKSK instead. A failure is
//     401 APIGW.0301.
//  4. Throttling (WithThrottle): 429 APIGW.0308 with Retry-After.
//  5. Project: a project id other than ProjectID() gets
//     403 APIGW.0302 ("The IAM user is not authorized to access the API."),
//     because a token or key scoped to one project is refused for another
//     by the gateway before HSS sees the call; IsAuthError reports it, and
//     IsNotFound does not, so a misconfigured project is not mistaken for a
//     missing task.
//  6. Parameters: a bad offset, limit, filter or task id gets
//     400 HSS.0001 "Invalid parameter."
//  7. Task: an unknown task gets 400 HSS.0011 "Requested resource not
//     found." (HSS reports "not found" as 400, not 404).
//  8. Otherwise 200 with {"total_num": N, "data_list": [...]}.
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
// empty, a name over 128 characters or an enterprise project id over 256 is
// 400 HSS.0001. Unknown parameters are ignored. total_num counts the
// registries matching the filters; data_list is the requested slice of
// them, in the order they were added.
package hsstest
