package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/chatappkit/chatapp"
	"golang.org/x/term"
)

// progress keeps one line on a terminal up to date while a query runs
// many requests. A nil *progress draws nothing.
type progress struct {
	w       io.Writer
	numbers int

	mu       sync.Mutex
	fetched  int // windows fetched, of every number
	finished int // numbers whose last window is fetched
	drawn    bool
}

// newProgress returns a progress line on w, or nil when w is not a
// terminal: a redirected stderr gets no carriage returns.
func newProgress(w io.Writer, numbers int) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: w, numbers: numbers}
}

// update counts a fetched window. It is called by the query's workers.
func (p *progress) update(rp chatapp.RangeProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fetched++
	if rp.Window == rp.Windows {
		p.finished++
	}
	total := p.numbers * rp.Windows
	if total <= 1 {
		return // one request: nothing worth a progress line
	}
	fmt.Fprintf(p.w, "\r\033[Kfetched %d/%d windows, %d/%d numbers done", p.fetched, total, p.finished, p.numbers)
	p.drawn = true
}

// done erases the line, so the report's errors start on a clean one.
func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		io.WriteString(p.w, "\r\033[K")
	}
}
