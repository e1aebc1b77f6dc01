package otelhss

import (
	"net"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/hsskit/hss"
)

// The attributes of this package that OpenTelemetry's semantic conventions
// do not define. The operation goes in hss.operation rather than
// rpc.method: the conventions' RPC attributes are for RPC frameworks
// (rpc.system.name is gRPC, Dubbo, Connect or JSON-RPC), and HSS is an HTTP
// API, described by the HTTP client attributes.
const (
	// operationKey is the SDK's name for what is called:
	// "ListSyncTaskRegistries", or "Do".
	operationKey = attribute.Key("hss.operation")
	// attemptKey numbers an attempt, from 1.
	attemptKey = attribute.Key("hss.attempt")
	// attemptsKey is the number of attempts sent.
	attemptsKey = attribute.Key("hss.attempts")
	// requestIDKey is the X-Request-Id of an answer, which Huawei Cloud's
	// support asks for.
	requestIDKey = attribute.Key("hss.request_id")
	// waitReasonKey says why a call waits: an hss.WaitReason.
	waitReasonKey = attribute.Key("hss.wait.reason")
	// waitDurationKey is a wait, or all the waits of a call, in seconds.
	waitDurationKey = attribute.Key("hss.wait.duration")
)

// waitEvent names the span event of a wait.
const waitEvent = "hss.wait"

// knownMethods are the HTTP methods the semantic conventions name; any
// other is reported as "_OTHER", the method itself in
// http.request.method_original.
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true, "QUERY": true,
}

// method is the http.request.method of a call and, for a method the
// conventions do not name, its http.request.method_original.
func method(m string) (attribute.KeyValue, []attribute.KeyValue) {
	if knownMethods[m] {
		return semconv.HTTPRequestMethodKey.String(m), nil
	}
	return semconv.HTTPRequestMethodKey.String("_OTHER"), []attribute.KeyValue{semconv.HTTPRequestMethodOriginal(m)}
}

// callAttributes are the attributes every span and metric of a call
// carries: the operation, the method, the server (server.address and
// server.port, as the HTTP client conventions ask of spans and metrics)
// and the path template. None holds an id, so they suit metrics.
func callAttributes(call hss.CallInfo, extra int) []attribute.KeyValue {
	m, _ := method(call.Method)
	attrs := make([]attribute.KeyValue, 0, 5+extra)
	attrs = append(attrs, operationKey.String(call.Operation), m)
	if host, port := server(call); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if call.Route != "" {
		attrs = append(attrs, semconv.URLTemplate(call.Route))
	}
	return attrs
}

// server is the host of a call's endpoint and its port: the one the
// endpoint names, else the scheme's (443 for https, 80 for http); 0 when
// neither is known.
func server(call hss.CallInfo) (host string, port int) {
	host, p, err := net.SplitHostPort(call.Host)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(call.Host, "["), "]") // no port
		switch call.Scheme {
		case "https":
			return host, 443
		case "http":
			return host, 80
		}
		return host, 0
	}
	port, err = strconv.Atoi(p)
	if err != nil {
		return host, 0
	}
	return host, port
}

// fullURL is the call's url.full: scheme, host, path and query, the path
// and query scrubbed of secrets as CallInfo has them.
func fullURL(call hss.CallInfo) string {
	if call.Scheme == "" || call.Host == "" {
		return ""
	}
	u := call.Scheme + "://" + call.Host + call.Path
	if call.Query != "" {
		u += "?" + call.Query
	}
	return u
}

// outcomeAttributes appends to attrs what sorts an outcome: the HTTP
// status of the answer, when one came, and error.type, when it failed.
func outcomeAttributes(attrs []attribute.KeyValue, status int, class hss.ErrorClass) []attribute.KeyValue {
	if status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if class != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(string(class)))
	}
	return attrs
}
