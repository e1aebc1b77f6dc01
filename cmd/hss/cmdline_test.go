// The command a failure says to run: its words quoted for a POSIX shell, the token never shown.

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCommandLine quotes words that need it and redacts --token in any
// spelling.
func TestCommandLine(t *testing.T) {
	fs := newRegistriesCmd().fs
	assert.Equal(t, "hss registries --task-id t --name 'a b' --endpoint https://h.example.com:8443/p --type Harbor,Jfrog --name '' --name 'it'\\''s' --name '$HOME'",
		commandLine(fs, "hss registries", []string{"--task-id", "t", "--name", "a b", "--endpoint", "https://h.example.com:8443/p", "--type", "Harbor,Jfrog", "--name", "", "--name", "it's", "--name", "$HOME"}))
	for _, args := range [][]string{
		{"--token", "secret-token-value", "--task-id", "t"},
		{"-token", "secret-token-value", "--task-id", "t"},
		{"--token=secret-token-value", "--task-id", "t"},
	} {
		got := commandLine(fs, "hss registries", args)
		assert.NotContains(t, got, "secret-token-value")
		assert.Contains(t, got, "REDACTED")
		assert.Contains(t, got, "--task-id t")
	}
	assert.Equal(t, "hss registries --demo --no-headers=true --task-id t", commandLine(fs, "hss registries", []string{"--demo", "--no-headers=true", "--task-id", "t"}),
		"a boolean flag takes no next word")
}

// TestWithoutFlags drops the flags named, in every spelling, with their
// values.
func TestWithoutFlags(t *testing.T) {
	fs := newRegistriesCmd().fs
	assert.Equal(t, []string{"--task-id", "t", "--demo", "--limit", "10"},
		withoutFlags(fs, []string{"--offset", "5", "--task-id", "t", "-offset=7", "--demo", "--max-items", "3", "--limit", "10", "--max-items=4"}, "offset", "max-items"))
}
