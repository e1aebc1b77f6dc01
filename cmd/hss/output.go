package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/hsskit/hss"
)

// printer writes registries in one output format. A single page goes
// through page; a listing through add for each page, then finish.
type printer interface {
	page(*hss.ListSyncTaskRegistriesResponse) error
	add(*hss.ListSyncTaskRegistriesResponse) error
	finish() error
}

func newPrinter(format string, w io.Writer) (printer, error) {
	switch format {
	case "table":
		return &tablePrinter{w: w}, nil
	case "json":
		return &jsonPrinter{w: w}, nil
	case "jsonl":
		return &jsonlPrinter{w: bufio.NewWriter(w)}, nil
	case "csv":
		return &csvPrinter{w: csv.NewWriter(w)}, nil
	}
	return nil, &usageError{fmt.Sprintf("hss registries: --output must be table, json, jsonl or csv, got %q", format)}
}

// wireRegistry is a registry as the API writes it: empty fields left out.
type wireRegistry struct {
	RegistryID   string `json:"registry_id,omitempty"`
	RegistryName string `json:"registry_name,omitempty"`
	RegistryType string `json:"registry_type,omitempty"`
	SyncStatus   string `json:"sync_status,omitempty"`
	FailedReason string `json:"failed_reason,omitempty"`
}

func toWire(r hss.AssociateRegistriesResponseInfo) wireRegistry {
	return wireRegistry{r.RegistryID, r.RegistryName, string(r.RegistryType), string(r.SyncStatus), r.FailedReason}
}

// jsonPrinter prints {"total_num":..,"data_list":[..]} exactly like the
// API; for a listing, total_num is the last page's and data_list holds
// every registry.
type jsonPrinter struct {
	w     io.Writer
	total int
	list  []wireRegistry
}

func (p *jsonPrinter) page(r *hss.ListSyncTaskRegistriesResponse) error {
	if err := p.add(r); err != nil {
		return err
	}
	return p.finish()
}

func (p *jsonPrinter) add(r *hss.ListSyncTaskRegistriesResponse) error {
	p.total = r.TotalNum
	for _, reg := range r.DataList {
		p.list = append(p.list, toWire(reg))
	}
	return nil
}

func (p *jsonPrinter) finish() error {
	if p.list == nil {
		p.list = []wireRegistry{}
	}
	enc := json.NewEncoder(p.w)
	enc.SetEscapeHTML(false) // "<" stays "<", as the API writes it
	return enc.Encode(struct {
		TotalNum int            `json:"total_num"`
		DataList []wireRegistry `json:"data_list"`
	}{p.total, p.list})
}

// jsonlPrinter streams one registry per line.
type jsonlPrinter struct{ w *bufio.Writer }

func (p *jsonlPrinter) page(r *hss.ListSyncTaskRegistriesResponse) error {
	if err := p.add(r); err != nil {
		return err
	}
	return p.finish()
}

func (p *jsonlPrinter) add(r *hss.ListSyncTaskRegistriesResponse) error {
	enc := json.NewEncoder(p.w)
	enc.SetEscapeHTML(false)
	for _, reg := range r.DataList {
		if err := enc.Encode(toWire(reg)); err != nil {
			return err
		}
	}
	return p.w.Flush() // a script piping us sees each page as it arrives
}

func (p *jsonlPrinter) finish() error { return p.w.Flush() }

var csvHeader = []string{"registry_id", "registry_name", "registry_type", "sync_status", "failed_reason"}

// csvPrinter streams rows under a header row.
type csvPrinter struct {
	w      *csv.Writer
	header bool
}

func (p *csvPrinter) page(r *hss.ListSyncTaskRegistriesResponse) error {
	if err := p.add(r); err != nil {
		return err
	}
	return p.finish()
}

func (p *csvPrinter) add(r *hss.ListSyncTaskRegistriesResponse) error {
	if !p.header {
		p.header = true
		if err := p.w.Write(csvHeader); err != nil {
			return err
		}
	}
	for _, reg := range r.DataList {
		if err := p.w.Write([]string{reg.RegistryID, reg.RegistryName, string(reg.RegistryType), string(reg.SyncStatus), reg.FailedReason}); err != nil {
			return err
		}
	}
	p.w.Flush()
	return p.w.Error()
}

func (p *csvPrinter) finish() error {
	if !p.header { // an empty listing still gets its header row
		return p.add(&hss.ListSyncTaskRegistriesResponse{})
	}
	p.w.Flush()
	return p.w.Error()
}

// tablePrinter aligns columns for people; it prints once everything is in,
// since alignment needs every row.
type tablePrinter struct {
	w     io.Writer
	all   bool // listing every page: no hint about more pages
	total int
	rows  []hss.AssociateRegistriesResponseInfo
}

func (p *tablePrinter) page(r *hss.ListSyncTaskRegistriesResponse) error {
	if err := p.add(r); err != nil {
		return err
	}
	p.all = false
	return p.finish()
}

func (p *tablePrinter) add(r *hss.ListSyncTaskRegistriesResponse) error {
	p.all = true // page() clears it again
	p.total = r.TotalNum
	p.rows = append(p.rows, r.DataList...)
	return nil
}

func (p *tablePrinter) finish() error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGISTRY ID\tNAME\tTYPE\tSTATUS\tFAILED REASON")
	for _, r := range p.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(r.RegistryID), cell(r.RegistryName),
			cell(string(r.RegistryType)), cell(string(r.SyncStatus)), cell(r.FailedReason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	more := ""
	if len(p.rows) < p.total && !p.all {
		more = " (--all for every page)"
	}
	_, err := fmt.Fprintf(p.w, "%d of %d registries%s\n", len(p.rows), p.total, more)
	return err
}

// cell keeps a value on one line and in its column, and keeps the
// service's text from driving the terminal: control characters (tabs,
// line breaks, ESC, C1 codes) become spaces; empty shows as "-".
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
