package hss

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
)

// The typed operation's name, path template and quota route.
const (
	registriesOp       = "ListSyncTaskRegistries"
	registriesTemplate = "/v5/{project_id}/image/image-sync/tasks/{task_id}/registries"
	registriesRoute    = http.MethodGet + " " + registriesTemplate
)

// ListSyncTaskRegistries returns one page of the image repositories
// (registries) associated with the image synchronisation task taskID:
// GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries.
//
// opts may be nil. Every argument is checked against the API's bounds
// before anything is sent; a bad one gives a *ValidationError. A non-2xx
// answer gives an *APIError, a 2xx answer that is not the documented JSON
// (or holds more registries than max(Limit, 200)) a *DecodeError.
func (c *Client) ListSyncTaskRegistries(ctx context.Context, taskID string, opts *ListSyncTaskRegistriesOptions) (*ListSyncTaskRegistriesResponse, error) {
	cl, err := c.registriesCall(taskID, opts)
	if err != nil {
		return nil, err
	}
	maxItems := MaxLimit
	if opts != nil {
		maxItems = max(opts.Limit, MaxLimit)
	}
	resp := new(ListSyncTaskRegistriesResponse)
	cl.decode = func(_ int, body []byte, requestID string) error {
		if err := decodeRegistriesPage(body, resp, maxItems); err != nil {
			return err
		}
		resp.RequestID = requestID
		return nil
	}
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return resp, nil
}

// registriesCall validates the arguments and builds the call.
func (c *Client) registriesCall(taskID string, opts *ListSyncTaskRegistriesOptions) (*call, error) {
	if !c.usable() {
		return nil, notConstructed()
	}
	if err := ValidateTaskID(taskID); err != nil {
		return nil, err
	}
	var q string
	if opts != nil {
		if err := opts.Validate(); err != nil {
			return nil, err
		}
		q = opts.encodeQuery()
	}
	const mid, tail = "/image/image-sync/tasks/", "/registries"
	return &call{
		op:         registriesOp,
		template:   registriesTemplate,
		method:     http.MethodGet,
		u:          c.url("/v5/"+c.projectID+mid+taskID+tail, "/v5/"+c.projectEsc+mid+escapePathSegment(taskID)+tail, q),
		route:      registriesRoute,
		idempotent: true,
	}, nil
}

// ListSyncTaskRegistriesPages returns an iterator over the pages of the
// listing, for callers that want TotalNum and request ids as pages arrive.
//
// It is lazy: nothing is sent until the loop starts. opts is copied; Limit
// defaults to 200 (the API's largest page) and Offset to where the caller
// set it. Each page advances the offset by the number of registries it
// held. Iteration ends when the offset reaches TotalNum, or before the next
// offset would pass the API's 2,000,000 bound, so it never sends more than
// ceil(2,000,000/Limit)+1 requests. A page shorter than the limit (an empty
// one included) while TotalNum promises more ends it with an error wrapping
// ErrIncompletePage, after that page. On an error it yields
// (nil, err) once and stops; breaking out of the loop stops it at once.
func (c *Client) ListSyncTaskRegistriesPages(ctx context.Context, taskID string, opts *ListSyncTaskRegistriesOptions) iter.Seq2[*ListSyncTaskRegistriesResponse, error] {
	var o ListSyncTaskRegistriesOptions
	if opts != nil {
		o = *opts
		o.RegistryTypes = append([]RegistryType(nil), opts.RegistryTypes...)
	}
	if o.Limit == 0 {
		o.Limit = MaxLimit
	}
	return func(yield func(*ListSyncTaskRegistriesResponse, error) bool) {
		page := o // each range loop starts from the caller's offset
		for {
			resp, err := c.ListSyncTaskRegistries(ctx, taskID, &page)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(resp, nil) {
				return
			}
			got := len(resp.DataList)
			next := page.Offset + got
			if next >= resp.TotalNum || next > MaxOffset {
				return
			}
			if got < page.Limit {
				yield(nil, &RequestError{Method: http.MethodGet, Path: c.registriesPath(taskID), RequestID: resp.RequestID,
					Err: fmt.Errorf("%w: the page at offset %d held %d of the %d registries asked for, and total_num is %d; resume with Offset %d",
						ErrIncompletePage, page.Offset, got, page.Limit, resp.TotalNum, next)})
				return
			}
			page.Offset = next
		}
	}
}

// registriesPath is the escaped path of the listing, for errors, scrubbed
// of the credentials the Client used last.
func (c *Client) registriesPath(taskID string) string {
	p := c.prefixRaw + "/v5/" + c.projectEsc + "/image/image-sync/tasks/" + escapePathSegment(taskID) + "/registries"
	return c.scrubber(c.lastCredentials(), nil).String(p)
}

// ListSyncTaskRegistriesIter returns an iterator over every registry of the
// listing, fetching pages as the loop needs them; it follows the rules of
// ListSyncTaskRegistriesPages. On an error it yields a zero registry and
// the error once, then stops.
//
//	for reg, err := range client.ListSyncTaskRegistriesIter(ctx, taskID, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(reg.RegistryName, reg.SyncStatus)
//	}
func (c *Client) ListSyncTaskRegistriesIter(ctx context.Context, taskID string, opts *ListSyncTaskRegistriesOptions) iter.Seq2[AssociateRegistriesResponseInfo, error] {
	pages := c.ListSyncTaskRegistriesPages(ctx, taskID, opts)
	return func(yield func(AssociateRegistriesResponseInfo, error) bool) {
		for page, err := range pages {
			if err != nil {
				yield(AssociateRegistriesResponseInfo{}, err)
				return
			}
			for _, reg := range page.DataList {
				if !yield(reg, nil) {
					return
				}
			}
		}
	}
}

// encodeQuery returns the query string of o: the parameters
// go-querystring's query.Values(o) gives (keys sorted, RegistryTypes
// comma-joined, empty fields left out), built without reflection and
// percent-encoded the strict way (see queryBuilder).
// TestEncodeQueryMatchesGoQuerystring and FuzzEncodeQuery check that both
// carry the same values.
func (o *ListSyncTaskRegistriesOptions) encodeQuery() string {
	q := queryBuilder{b: make([]byte, 0, 64)}
	// In url.Values.Encode's order: sorted by key.
	if o.EnterpriseProjectID != "" {
		q.add("enterprise_project_id", o.EnterpriseProjectID)
	}
	if o.Limit != 0 {
		q.add("limit", strconv.Itoa(o.Limit))
	}
	if o.Offset != 0 {
		q.add("offset", strconv.Itoa(o.Offset))
	}
	if o.RegistryName != "" {
		q.add("registry_name", o.RegistryName)
	}
	if len(o.RegistryTypes) > 0 {
		types := make([]string, len(o.RegistryTypes))
		for i, t := range o.RegistryTypes {
			types[i] = string(t)
		}
		q.add("registry_type", strings.Join(types, ","))
	}
	if o.SyncStatus != "" {
		q.add("sync_status", string(o.SyncStatus))
	}
	return q.String()
}
