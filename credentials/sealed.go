package credentials

// sealed holds a secret where fmt, encoding/json and log/slog cannot
// reach it, so that the types holding one need no printing methods of
// their own. Its only field is a func, which fmt prints as an address
// under every verb and at every depth, and which encoding/json and
// log/slog's JSON handler skip as unexported. A pointer would not do:
// under a verb that does not apply to pointers (%s, %q, %t), fmt prints
// what a pointer points to, field by field, wherever it finds it.
type sealed[T any] struct {
	open func() T
}

// seal returns a sealed v.
func seal[T any](v T) sealed[T] {
	return sealed[T]{open: func() T { return v }}
}

// get returns the secret; the zero sealed holds T's zero value.
func (s sealed[T]) get() T {
	if s.open == nil {
		var zero T
		return zero
	}
	return s.open()
}

// empty reports whether s was never sealed.
func (s sealed[T]) empty() bool { return s.open == nil }
