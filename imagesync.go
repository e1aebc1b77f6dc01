package hss

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// ListSyncTaskRegistries returns one page of the image repositories
// (registries) associated with the image synchronisation task taskID:
// GET /v5/{project_id}/image/image-sync/tasks/{task_id}/registries.
//
// opts may be nil. Every argument is checked against the API's bounds
// before anything is sent; a bad one gives a *ValidationError. A non-2xx
// answer gives an *APIError, a 2xx answer that is not the documented JSON a
// *DecodeError.
func (c *Client) ListSyncTaskRegistries(ctx context.Context, taskID string, opts *ListSyncTaskRegistriesOptions) (*ListSyncTaskRegistriesResponse, error) {
	u, err := c.registriesURL(taskID, opts)
	if err != nil {
		return nil, err
	}
	resp := new(ListSyncTaskRegistriesResponse)
	err = c.get(ctx, u, func(body []byte, requestID string) error {
		if err := decodeRegistriesPage(body, resp); err != nil {
			return err
		}
		resp.RequestID = requestID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// registriesURL validates the arguments and builds the request URL.
func (c *Client) registriesURL(taskID string, opts *ListSyncTaskRegistriesOptions) (*url.URL, error) {
	if c == nil || c.endpoint == nil || c.creds == nil {
		return nil, errNotConstructed
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
	taskEsc := url.PathEscape(taskID)
	return &url.URL{
		Scheme:   c.endpoint.Scheme,
		Host:     c.endpoint.Host,
		Path:     c.prefixPath + "/v5/" + c.projectID + mid + taskID + tail,
		RawPath:  c.prefixRaw + "/v5/" + c.projectEsc + mid + taskEsc + tail,
		RawQuery: q,
	}, nil
}

// ListSyncTaskRegistriesPages returns an iterator over the pages of the
// listing, for callers that want TotalNum and request ids as pages arrive.
//
// It is lazy: nothing is sent until the loop starts. opts is copied; Limit
// defaults to 200 (the API's largest page) and Offset to where the caller
// set it. Each page advances the offset by the number of registries it
// held; iteration ends when the offset reaches TotalNum, when a page is
// empty, or when the next offset would pass the API's 2,000,000 bound, so
// no answer can make it loop forever. On an error it yields (nil, err) once
// and stops. Breaking out of the loop stops it at once.
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
			n := len(resp.DataList)
			next := page.Offset + n
			if n == 0 || next >= resp.TotalNum || next > MaxOffset {
				return
			}
			page.Offset = next
		}
	}
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
// comma-joined, empty fields left out), built without reflection, with
// values percent-encoded the strict RFC 3986 way (only A-Z a-z 0-9 - _ . ~
// left as they are, so a space is %20, never '+'). That is what the
// official Huawei Cloud SDKs send, and it is already the canonical form
// SDK-HMAC-SHA256 signs, so the gateway cannot read a value differently
// from how it was signed. TestEncodeQueryMatchesGoQuerystring and
// FuzzEncodeQuery check that both decode to the same values.
func (o *ListSyncTaskRegistriesOptions) encodeQuery() string {
	b := make([]byte, 0, 64)
	add := func(key, value string) {
		if len(b) > 0 {
			b = append(b, '&')
		}
		b = append(b, key...)
		b = append(b, '=')
		for i := 0; i < len(value); i++ {
			b = appendEscapedByte(b, value[i])
		}
	}
	// In url.Values.Encode's order: sorted by key.
	if o.EnterpriseProjectID != "" {
		add("enterprise_project_id", o.EnterpriseProjectID)
	}
	if o.Limit != 0 {
		add("limit", strconv.Itoa(o.Limit))
	}
	if o.Offset != 0 {
		add("offset", strconv.Itoa(o.Offset))
	}
	if o.RegistryName != "" {
		add("registry_name", o.RegistryName)
	}
	if len(o.RegistryTypes) > 0 {
		types := make([]string, len(o.RegistryTypes))
		for i, t := range o.RegistryTypes {
			types[i] = string(t)
		}
		add("registry_type", strings.Join(types, ","))
	}
	if o.SyncStatus != "" {
		add("sync_status", string(o.SyncStatus))
	}
	return string(b)
}
