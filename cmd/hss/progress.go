package main

import (
	"fmt"
	"io"

	"github.com/hsskit/hss"
)

// progress keeps one status line on stderr while --all fetches several
// pages. It writes only to a terminal, never to stdout, so pipes and
// scripts see clean output.
type progress struct {
	w       io.Writer
	on      bool
	fetched int
	pages   int
	shown   bool
}

func (p *progress) page(r *hss.ListSyncTaskRegistriesResponse) {
	p.fetched += len(r.DataList)
	p.pages++
	if !p.on || (p.pages == 1 && p.fetched >= r.TotalNum) {
		return // a one-page listing needs no progress line
	}
	fmt.Fprintf(p.w, "\r\033[Kfetched %d of %d registries (%d pages)", p.fetched, r.TotalNum, p.pages)
	p.shown = true
}

// done clears the line so the next shell prompt starts clean.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
