package main

import (
	"strings"

	"github.com/hsskit/hss/internal/secret"
)

// secretFlags are the flags whose values never show on stderr.
var secretFlags = map[string]bool{"token": true}

// flagAt reads the flag that starts at args[i]: its name, and how many
// words it spans (2 when its value is the next word). name is "" when
// args[i] is not a flag.
func flagAt(fs *flagSet, args []string, i int) (name string, words int) {
	a := args[i]
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return "", 1
	}
	name = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	name, _, hasValue := strings.Cut(name, "=")
	f := fs.Lookup(name)
	if f == nil {
		return name, 1
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); hasValue || ok && b.IsBoolFlag() || i+1 == len(args) {
		return name, 1
	}
	return name, 2
}

// withoutFlags returns a copy of args without the flags named, and their
// values.
func withoutFlags(fs *flagSet, args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); {
		name, n := flagAt(fs, args, i)
		drop := false
		for _, d := range names {
			drop = drop || name == d
		}
		if !drop {
			out = append(out, args[i:i+n]...)
		}
		i += n
	}
	return out
}

// commandLine is prefix and args as one command for a POSIX shell: each
// word quoted when it needs it, and the value of a secret flag (--token)
// replaced by REDACTED.
func commandLine(fs *flagSet, prefix string, args []string) string {
	words := []string{prefix}
	for i := 0; i < len(args); {
		name, n := flagAt(fs, args, i)
		switch {
		case !secretFlags[name]:
			for _, a := range args[i : i+n] {
				words = append(words, shellQuote(a))
			}
		case n == 2:
			words = append(words, shellQuote(args[i]), secret.Redacted)
		default:
			flag, _, _ := strings.Cut(args[i], "=")
			words = append(words, shellQuote(flag+"="+secret.Redacted))
		}
		i += n
	}
	return strings.Join(words, " ")
}

// shellQuote returns s as one word for a POSIX shell: as it is when every
// character is plain, else in single quotes.
func shellQuote(s string) string {
	plain := s != ""
	for _, c := range s {
		plain = plain && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_@%+=:,./-", c))
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
