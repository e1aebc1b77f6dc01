package redisquota

// ArgumentError is returned for a call a Store does not take, before
// anything is sent.
type ArgumentError struct {
	// Field is "ctx", "rdb", "key" or "next".
	Field string
	// Reason says what is allowed and what was given.
	Reason string
}

// Error reads like "redisquota: invalid key: must be at most 512 bytes,
// got 600".
func (e *ArgumentError) Error() string {
	return "redisquota: invalid " + e.Field + ": " + e.Reason
}

// ReplyError reports a key that holds what no Store writes, such as a
// value longer than hss.MaxQuotaValueLen bytes (which the script does not
// send), or a reply the script never gives.
type ReplyError struct {
	// Key is the Redis key, prefix included.
	Key string
	// Reason says what was wrong.
	Reason string
}

// Error reads like "redisquota: key hss:quota:...: it holds a value longer
// than 512 bytes, which no Client stores".
func (e *ReplyError) Error() string {
	return "redisquota: key " + e.Key + ": " + e.Reason
}
