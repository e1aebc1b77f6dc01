package hsstest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hsskit/hss"
)

// serve is the server's http.Handler: it logs every request and gives
// injected behaviour its chance before the API answers (see the package
// documentation for the order).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		abort(w, func() {}) // a request that slipped in while Close ran
		return
	}
	defer s.inflight.Done()
	rec := s.newRecord(r, s.nextRequestID())
	w.Header().Set("X-Request-Id", rec.RequestID)
	s.stampDate(w)
	sw := &statusWriter{ResponseWriter: w}
	// logOnce records the request. Faults that close the connection call it
	// first, so a client that sees the connection end also finds the request
	// in the log.
	logged := false
	logOnce := func() {
		if !logged {
			logged = true
			if rec.Status == 0 {
				rec.Status = sw.status
			}
			s.record(rec)
		}
	}
	defer logOnce()

	if !s.applyLatency(sw, r, logOnce) {
		return
	}
	if hook := s.currentHook(); hook != nil && hook(sw, r) {
		rec.Fault = FaultHook
		return
	}
	if f, ok := s.popFault(r); ok {
		rec.Fault = f.kind
		if s.applyFault(f, sw, r, &rec, logOnce) {
			return
		}
	}
	s.serveAPI(sw, r, &rec)
}

// serveAPI answers as the real API Gateway and HSS would.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rec *RecordedRequest) {
	id := rec.RequestID
	project, taskID, builtin := parsePath(r.URL.EscapedPath())
	builtin = builtin && r.Method == http.MethodGet
	var extra route
	if !builtin {
		var ok bool
		if extra, ok = s.findRoute(r); !ok {
			writeError(w, http.StatusNotFound, codeNoAPI, msgNoAPI, id)
			return
		}
		if extra.open { // Unauthenticated: a service outside the gateway
			extra.handler(w, r)
			return
		}
		project = r.PathValue("project_id")
	}
	if msg, ok := s.authenticate(r, rec); !ok {
		writeError(w, http.StatusUnauthorized, codeAuth, msg, id)
		return
	}
	if quota, secs, ok := s.checkThrottle(); !ok {
		if !quota.NoRetryAfter {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		writeError(w, http.StatusTooManyRequests, codeThrottled, quota.message(), id)
		return
	}
	if (builtin || project != "") && project != s.cfg.projectID {
		writeError(w, http.StatusForbidden, codeForbidden, msgForbidden, id)
		return
	}
	if !builtin {
		extra.handler(w, r)
		return
	}
	q, ok := parseListQuery(r.URL.RawQuery)
	if !ok || !validText(taskID, maxTaskIDLen) {
		writeError(w, http.StatusBadRequest, codeInvalidParam, msgInvalidParam, id)
		return
	}
	page, found := s.list(taskID, &q)
	if !found {
		writeError(w, http.StatusBadRequest, codeNotFound, msgNotFound, id)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// parsePath splits /v5/{project_id}/image/image-sync/tasks/{task_id}/registries.
// It works on the escaped path and unescapes each segment on its own, so
// an escaped slash stays inside its id: tasks/a%2Fb/registries is task "a/b".
func parsePath(escaped string) (project, taskID string, ok bool) {
	seg := strings.Split(escaped, "/")
	if len(seg) != 8 || seg[0] != "" || seg[1] != "v5" || seg[3] != "image" ||
		seg[4] != "image-sync" || seg[5] != "tasks" || seg[7] != "registries" {
		return "", "", false
	}
	project, err1 := url.PathUnescape(seg[2])
	taskID, err2 := url.PathUnescape(seg[6])
	if err1 != nil || err2 != nil || project == "" || taskID == "" {
		return "", "", false
	}
	return project, taskID, true
}

// pageJSON is the 200 body.
type pageJSON struct {
	TotalNum int            `json:"total_num"`
	DataList []registryJSON `json:"data_list"`
}

// registryJSON is one entry of data_list.
type registryJSON struct {
	RegistryID   string `json:"registry_id"`
	RegistryName string `json:"registry_name"`
	RegistryType string `json:"registry_type"`
	SyncStatus   string `json:"sync_status"`
	FailedReason string `json:"failed_reason,omitempty"`
}

// list filters the task's registries and cuts the requested page;
// found=false when the task does not exist.
func (s *Server) list(taskID string, q *listQuery) (page pageJSON, found bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, found := s.tasks[taskID]
	if !found {
		return page, false
	}
	s.settle(t, now)
	page.DataList = []registryJSON{} // "[]", never null
	if q.unfiltered() && (t.elsewhere == 0 || q.enterprise == hss.AllEnterpriseProjects) {
		page.TotalNum = len(t.regs)
		for i := q.offset; i < len(t.regs) && len(page.DataList) < q.limit; i++ {
			page.DataList = append(page.DataList, toJSON(&t.regs[i]))
		}
		return page, true
	}
	for i := range t.regs {
		reg := &t.regs[i]
		if !q.matches(reg) {
			continue
		}
		if page.TotalNum >= q.offset && len(page.DataList) < q.limit {
			page.DataList = append(page.DataList, toJSON(reg))
		}
		page.TotalNum++
	}
	return page, true
}

// toJSON is a registry as data_list holds it.
func toJSON(reg *Registry) registryJSON {
	return registryJSON{
		RegistryID:   reg.RegistryID,
		RegistryName: reg.RegistryName,
		RegistryType: string(reg.RegistryType),
		SyncStatus:   string(reg.SyncStatus),
		FailedReason: reg.FailedReason,
	}
}
