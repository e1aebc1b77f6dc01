package main

import (
	"fmt"
	"io"
	"sync"
)

// console is the command's stderr: one-line messages and, on a terminal,
// a status line (progress) that each message clears first and that is
// drawn again after it. It is safe for concurrent use, as the SDK may log
// from any goroutine.
type console struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	status   string // the status line on screen, "" when none
}

// println writes one line of text (escaped) to stderr.
func (c *console) println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.erase()
	fmt.Fprintln(c.w, escapeText(s, spaceForBreaks))
	c.draw()
}

// setStatus shows s as the status line, on a terminal only.
func (c *console) setStatus(s string) {
	if !c.terminal {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = escapeText(s, spaceForBreaks)
	c.draw()
}

// clearStatus removes the status line, so the shell prompt starts clean.
func (c *console) clearStatus() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.erase()
	c.status = ""
}

// erase clears the terminal line; c.mu is held.
func (c *console) erase() {
	if c.status != "" {
		fmt.Fprint(c.w, "\r\033[K")
	}
}

// draw writes the status line; c.mu is held.
func (c *console) draw() {
	if c.status != "" {
		fmt.Fprint(c.w, "\r\033[K"+c.status)
	}
}
