package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hsskit/hss"
)

// flagSet is a flag.FlagSet whose help lists the flags in titled sections,
// in the order they were defined, spelled with "--".
type flagSet struct {
	*flag.FlagSet
	sections []section
}

// section is a titled group of flags in the help.
type section struct {
	title string
	names []string
}

// newFlagSet returns an empty flag set for the command hss <name>.
func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet("hss "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by the caller, on one line
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs}
}

// section starts a new group of flags in the help.
func (fs *flagSet) section(title string) { fs.sections = append(fs.sections, section{title: title}) }

// added files the flag just defined under the current section.
func (fs *flagSet) added(name string) {
	if len(fs.sections) == 0 {
		fs.section("Flags")
	}
	s := &fs.sections[len(fs.sections)-1]
	s.names = append(s.names, name)
}

func (fs *flagSet) str(p *string, name, value, usage string) {
	fs.StringVar(p, name, value, usage)
	fs.added(name)
}

// integer defines a decimal integer flag: 010 is ten and 0x10 an error,
// as a script that pads an offset means.
// nonEmpty defines a string flag that, when given, must not be empty: an
// empty --token from an unset shell variable is a mistake, not "none".
func (fs *flagSet) nonEmpty(p *string, name, usage string) {
	fs.Var((*nonEmptyFlag)(p), name, usage)
	fs.added(name)
}

// nonEmptyFlag is a string that refuses the empty value.
type nonEmptyFlag string

func (f *nonEmptyFlag) String() string { return string(*f) }

func (f *nonEmptyFlag) Set(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	*f = nonEmptyFlag(v)
	return nil
}

func (fs *flagSet) integer(p *int, name string, value int, usage string) {
	*p = value
	fs.Var((*intFlag)(p), name, usage)
	fs.added(name)
}

func (fs *flagSet) boolean(p *bool, name string, usage string) {
	fs.BoolVar(p, name, false, usage)
	fs.added(name)
}

func (fs *flagSet) duration(p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var((*durationFlag)(p), name, usage)
	fs.added(name)
}

// float defines a decimal number flag (no hexadecimal, Inf or NaN).
func (fs *flagSet) float(p *float64, name string, value float64, usage string) {
	*p = value
	fs.Var((*floatFlag)(p), name, usage)
	fs.added(name)
}

// intFlag is an int read in decimal only.
type intFlag int

func (f *intFlag) String() string { return strconv.Itoa(int(*f)) }

func (f *intFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 0)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return errors.New("too large a number")
	case err != nil:
		return errors.New("not a whole decimal number")
	}
	*f = intFlag(n)
	return nil
}

// durationFlag is a time.Duration with a message that shows the form.
type durationFlag time.Duration

func (f *durationFlag) String() string { return time.Duration(*f).String() }

func (f *durationFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	switch {
	case err != nil && strings.Contains(err.Error(), "missing unit"):
		return errors.New("a duration needs a unit, such as 500ms, 90s, 10m or 1h30m")
	case err != nil:
		return errors.New("not a duration such as 500ms, 90s, 10m or 1h30m")
	}
	*f = durationFlag(d)
	return nil
}

// throttleWait defines --max-throttle-wait: a duration, or "none"
// (hss.NoThrottleWait).
func (fs *flagSet) throttleWait(p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var((*throttleWaitFlag)(p), name, usage)
	fs.added(name)
}

// throttleWaitFlag is a duration, or "none" for hss.NoThrottleWait: give
// up at the first throttling answer.
type throttleWaitFlag time.Duration

func (f *throttleWaitFlag) String() string {
	if time.Duration(*f) == hss.NoThrottleWait {
		return "none"
	}
	return time.Duration(*f).String()
}

func (f *throttleWaitFlag) Set(v string) error {
	if strings.EqualFold(v, "none") {
		*f = throttleWaitFlag(hss.NoThrottleWait)
		return nil
	}
	if err := (*durationFlag)(f).Set(v); err != nil {
		return errors.New(err.Error() + ", or none")
	}
	return nil
}

// floatFlag is a float64 read in decimal only.
type floatFlag float64

func (f *floatFlag) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }

func (f *floatFlag) Set(v string) error {
	if strings.ContainsAny(v, "xXnN_") { // hex, Inf, NaN, digit separators
		return errors.New("not a decimal number")
	}
	n, err := strconv.ParseFloat(v, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(n, 0):
		return errors.New("too large a number")
	case err != nil:
		return errors.New("not a decimal number")
	case n == 0 && nonZeroMantissa(v):
		// 1e-400 is not 0, which may mean "off": too small a number.
		return errors.New("too small a number: it rounds to 0")
	}
	*f = floatFlag(n)
	return nil
}

// nonZeroMantissa reports whether the decimal number v has a digit other
// than 0 before its exponent: it is not 0, whatever it rounds to.
func nonZeroMantissa(v string) bool {
	mantissa, _, _ := strings.Cut(strings.ToLower(v), "e")
	return strings.ContainsAny(mantissa, "123456789")
}

func (fs *flagSet) list(p *listFlag, name, usage string) {
	fs.Var(p, name, usage)
	fs.added(name)
}

// given returns the names of the flags set on the command line.
func (fs *flagSet) given() map[string]bool {
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// printHelp writes the flags, section by section:
//
//	Listing:
//	  --task-id ID
//	        image synchronisation task id (required)
func (fs *flagSet) printHelp(w io.Writer) {
	for _, s := range fs.sections {
		fmt.Fprintf(w, "\n%s:\n", s.title)
		for _, name := range s.names {
			f := fs.Lookup(name)
			arg, usage := flag.UnquoteUsage(f)
			line := "  --" + name
			if arg != "" {
				line += " " + arg
			}
			fmt.Fprintln(w, line)
			fmt.Fprintf(w, "        %s", strings.ReplaceAll(usage, "\n", "\n        "))
			if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "0s" {
				fmt.Fprintf(w, " (default %s)", def)
			}
			fmt.Fprintln(w)
		}
	}
}

// names lists every flag of fs, for completion.
func (fs *flagSet) names() []string {
	var all []string
	for _, s := range fs.sections {
		all = append(all, s.names...)
	}
	return all
}

// parse parses args; a bad flag or an argument left over is a usage error
// that spells flags with "--". It returns flag.ErrHelp for --help.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		if name, value, reason, ok := badValue(err.Error()); ok {
			if f := fs.Lookup(name); f != nil {
				_, usage := flag.UnquoteUsage(f)
				if reason != "" {
					reason = ": " + reason
				}
				return usagef("invalid --%s %q%s (--%s: %s)", name, value, reason, name, strings.Join(strings.Fields(usage), " "))
			}
		}
		msg := dashDash(err.Error())
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
			if near := closest(strings.TrimPrefix(name, "-"), fs.names(), typo); len(near) > 0 {
				msg += " (did you mean --" + strings.Join(near, " or --") + "?)"
			}
		}
		return usagef("%s; see \"%s --help\"", msg, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: %s takes flags only; see \"%s --help\"", fs.Arg(0), fs.Name(), fs.Name())
	}
	return nil
}

// badValue reads the flag, the value and the reason of the flag package's
// `invalid value "x" for flag -type: empty value in "x"`; a bare "parse
// error" is no reason worth repeating.
func badValue(msg string) (name, value, reason string, ok bool) {
	rest, ok := strings.CutPrefix(msg, "invalid value ")
	if !ok {
		rest, ok = strings.CutPrefix(msg, "invalid boolean value ")
	}
	if !ok {
		return "", "", "", false
	}
	quoted, rest, ok := strings.Cut(rest, " for flag -")
	if !ok {
		return "", "", "", false
	}
	value, err := strconv.Unquote(quoted)
	name, reason, _ = strings.Cut(rest, ": ")
	if reason == "parse error" || strings.Contains(reason, "invalid syntax") {
		reason = ""
	}
	return name, value, reason, err == nil
}

// dashDash rewrites the flag package's messages ("flag provided but not
// defined: -bogus", "invalid value "x" for flag -limit: ...") to spell
// flags as the help does.
func dashDash(msg string) string {
	msg = strings.Replace(msg, "flag provided but not defined: -", "unknown flag --", 1)
	msg = strings.Replace(msg, "flag needs an argument: -", "flag needs a value: --", 1)
	msg = strings.Replace(msg, " for flag -", " for --", 1)
	msg = strings.Replace(msg, " for -", " for --", 1)
	return msg
}

// listFlag collects the values of a repeatable flag that also takes
// comma-separated values: --type Harbor --type Jfrog is --type Harbor,Jfrog.
type listFlag struct {
	items []string
}

// String returns the values joined by commas.
func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.items, ",")
}

// Set adds the comma-separated values of one occurrence.
func (l *listFlag) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return fmt.Errorf("empty value in %q", v)
		}
		l.items = append(l.items, item)
	}
	return nil
}

// choose matches each value of l, ignoring case, against valid and returns
// the valid spellings in the order given, without repeats. Anything else
// is a usage error that names the flag and lists the valid values.
func choose[T ~string](flagName string, l listFlag, valid []T) ([]T, error) {
	var out []T
	seen := make(map[T]bool)
	for _, item := range l.items {
		match := T("")
		for _, v := range valid {
			if strings.EqualFold(item, string(v)) {
				match = v
				break
			}
		}
		if match == "" {
			names := make([]string, len(valid))
			for i, v := range valid {
				names[i] = string(v)
			}
			return nil, usagef("invalid --%s %q: must be one of %s (any case; repeat the flag or separate values with commas)",
				flagName, item, strings.Join(names, ", "))
		}
		if !seen[match] {
			seen[match] = true
			out = append(out, match)
		}
	}
	return out, nil
}
