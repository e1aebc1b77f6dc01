package credentials

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// formatAttrs prints name{key: value, ...} for fmt.
func formatAttrs(f fmt.State, name string, attrs []slog.Attr) {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, a := range attrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key)
		b.WriteString(": ")
		b.WriteString(a.Value.String())
	}
	b.WriteByte('}')
	fmt.Fprint(f, b.String())
}

// marshalAttrs writes attrs as a JSON object of strings.
func marshalAttrs(attrs []slog.Attr) ([]byte, error) {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[a.Key] = a.Value.String()
	}
	return json.Marshal(m)
}
