// Package hss is a small, typed client for Huawei Cloud Host Security
// Service (HSS).
//
// A Client calls the HSS API of one project. Its typed operation,
// ListSyncTaskRegistries, lists the image repositories (registries) of an
// image synchronisation task, one page at a time or through the iterators
// ListSyncTaskRegistriesPages and ListSyncTaskRegistriesIter, which page for
// the caller; WaitSyncTask waits for such a task to finish; Do sends any
// other HSS call with the same credentials, retries and errors.
//
//	client, err := hss.NewClient(endpoint, projectID, hss.WithToken(token))
//	...
//	for reg, err := range client.ListSyncTaskRegistriesIter(ctx, taskID, nil) {
//		...
//	}
//
// # Credentials
//
// A Client authenticates with an IAM token (WithToken) or signs every
// attempt with an access key (WithAKSK, WithTemporaryAKSK), dated by its
// Clock; NewClientFromEnv finds them the way the official SDKs do, and
// WithCredentials takes any provider of package credentials, or one of
// your own. Package sign signs for any Huawei Cloud API.
//
// API Gateway refuses a signature dated more than 15 minutes from its clock.
// A Client that signs learns the gateway's clock from its answers and signs
// on it (see sign.Skew): a refused request is signed again once, and later
// ones are right the first time. It corrects a clock off by up to
// sign.MaxOffset (24 hours); beyond that, or when a refusal tells no time,
// each call fails with a 401 *APIError that says the clock is off by more
// than the SDK corrects.
//
// # Errors
//
// A failed call returns one of these, and errors.As reaches the final cause
// through any wrapping:
//
//   - *ValidationError: a bad argument or option, before anything was sent;
//   - *APIError: the service (or its gateway) answered with a non-2xx status;
//   - *DecodeError: a 2xx answer whose body is not the documented JSON;
//   - *RequestError: no usable answer: the connection failed or broke off
//     (a *RedirectError among the causes), credentials could not be had, a
//     wait would pass the context's deadline, the caller's context ended, or
//     the answers broke paging (ErrIncompletePage);
//   - *AttemptsError: wraps one of the above when the attempts, the retry
//     budget or the throttle budget ran out.
//
// Each message names the operation (method and path) once, and the request
// id when there is one: quote it in a support ticket. IsNotFound,
// IsThrottled and IsAuthError read the same status table as the retry
// decisions. No error is context.DeadlineExceeded unless the caller's own
// context ended.
//
// # Retries and quotas
//
// Transient failures are retried with exponential backoff, within
// RetryPolicy.MaxAttempts and a retry budget the Client's goroutines share;
// throttling by API Gateway's quotas is waited out, within
// RetryPolicy.MaxThrottleWait, and the Client learns the quota so that its
// goroutines stop collecting 429s. See RetryPolicy and the README.
//
// # Testing
//
// Package hsstest is an in-process fake HSS with a fake clock, for the
// tests of code that uses this package.
package hss
